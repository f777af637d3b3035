// Recorded from the code before the Analysis split (see RunReportGoldenTests); re-recorded once when the
// budget audit moved to whole pools (unequal pool sizes; issue 16), and with fields added only (compute
// totals, the held-out audit, the audit per aggregator, the pass@k / maj@k / A_D(N) bands; every earlier value unchanged, checked by the
// script that re-recorded it).
// Do not edit by hand.
// The compact JSON (outputFormatting [.sortedKeys]) of RunReportGoldenTests.report(), wrapped with
// line continuations.
let runReportGolden = #"""
    {"audit":{"accuracyAtDatasetBudget":{"high":0.8312222222222151,"low":0.16666666666666305,"value":0.50679027777\#
    77724},"accuracyAtOracleBudgets":{"high":0.8329706812075194,"low":0.21977777777777732,"value":0.52593553277453\#
    92},"aggregators":[{"accuracyAtDatasetBudget":{"high":0.9968333333333262,"low":0.0235375,"value":0.50679027777\#
    77724},"accuracyAtLargestBudget":{"high":0.9999999999999845,"low":0,"value":0.49999999999999417},"accuracyAtOw\#
    nBudgets":{"high":0.8533050418839879,"low":0.21977777777777732,"value":0.5259355327745392},"datasetBudget":16,\#
    "datasetCurve":[0.4010658914728678,0.4010658914728639,0.476800277396227,0.5061642286608854,0.5067902777777724,\#
    0.49999999999999417],"meanSampleOptimal":5.166666666666667,"name":"majority","overscalingIndex":0.322916666666\#
    6667},{"accuracyAtDatasetBudget":{"high":0.999068299068299,"low":0.16666666666666666,"value":0.665734965734965\#
    7},"accuracyAtLargestBudget":{"high":0.999068299068299,"low":0.16666666666666666,"value":0.6657349657349657},"\#
    accuracyAtOwnBudgets":{"high":0.9985227336816408,"low":0.33706715662029424,"value":0.6694191258143687},"datase\#
    tBudget":32,"datasetCurve":[0.401065891472874,0.4955646420762696,0.5577108374418617,0.5998832636008244,0.63775\#
    71803053133,0.6657349657349657],"meanSampleOptimal":10.333333333333334,"name":"best_of_n_self_certainty","over\#
    scalingIndex":0.3229166666666667},{"accuracyAtDatasetBudget":{"high":0.9666338961768407,"low":0.30000000000000\#
    03,"value":0.6333224098367248},"accuracyAtLargestBudget":{"high":0.9666338961768407,"low":0.3000000000000003,"\#
    value":0.6333224098367248},"accuracyAtOwnBudgets":{"high":0.996583327320935,"low":0.3091394211800526,"value":0\#
    .6366298050558851},"datasetBudget":32,"datasetCurve":[0.4010658914728679,0.45359485475765265,0.488323704681888\#
    9,0.5208207021185899,0.5631459936585669,0.6333224098367248],"meanSampleOptimal":17.666666666666668,"name":"bes\#
    t_of_n_logprob","overscalingIndex":0.5520833333333334},{"accuracyAtDatasetBudget":{"high":0.8688333333333333,"\#
    low":0.2031666666666667,"value":0.5361666666666666},"accuracyAtLargestBudget":{"high":0.83675,"low":0.17008333\#
    333333334,"value":0.5034166666666667},"accuracyAtOwnBudgets":{"high":0.8781666666666667,"low":0.22341666666666\#
    668,"value":0.549},"datasetBudget":8,"datasetCurve":[0.39675,0.4975833333333333,0.52075,0.5361666666666666,0.5\#
    336666666666666,0.5034166666666667],"meanSampleOptimal":5.333333333333333,"name":"weighted_majority_self_certa\#
    inty","overscalingIndex":0.6666666666666666},{"accuracyAtDatasetBudget":{"high":0.9999987842093105,"low":0.466\#
    66545087597716,"value":0.7999987842093105},"accuracyAtLargestBudget":{"high":0.9999987842093105,"low":0.466665\#
    45087597716,"value":0.7999987842093105},"accuracyAtOwnBudgets":{"high":0.9974684393184557,"low":0.466615157277\#
    00764,"value":0.7982834652611052},"datasetBudget":32,"datasetCurve":[0.4010658914728682,0.5159915665729619,0.5\#
    942407058148768,0.6606017590035473,0.7274890273928672,0.7999987842093105],"meanSampleOptimal":13.1666666666666\#
    66,"name":"oracle","overscalingIndex":0.4114583333333333}],"cell":{"layers":0,"temperature":1},"curse":true,"c\#
    urves":{"alg-01":[0.8999999999999916,0.8999999999999846,0.9951635846372613,0.9999999999999778,0.99999999999997\#
    84,0.9999999999999757],"alg-02":[0.5813953488372211,0.581395348837221,0.7945061178186643,0.9364399695623565,0.\#
    9936666666666666,1],"geo-01":[0,0,0,0,0,0],"geo-02":[0.1499999999999988,0.14999999999999603,0.1333132727869556\#
    2,0.10842541647495041,0.047075,0],"num-01":[0.7499999999999954,0.7499999999999821,0.9218732902943452,0.9917829\#
    453433087,0.9999999999999895,0.9999999999999895],"num-02":[0.02499999999999979,0.024999999999999398,0.01594539\#
    8840135617,0.0003370405847186005,0,0]},"datasetBand":{"high":[0.7559198705537198,0.7559198705537127,0.90995539\#
    31732334,0.9792447228414731,0.9987237552374945,0.9999999999999882],"kind":"simultaneous","low":[0.046211912392\#
    015775,0.04621191239201522,0.04364516161922055,0.033083734480297666,0.014856800318050367,5.551115123125783e-17\#
    ]},"datasetBudget":16,"datasetCurve":[0.4010658914728678,0.4010658914728639,0.476800277396227,0.50616422866088\#
    54,0.5067902777777724,0.49999999999999417],"grid":[1,2,4,8,16,32],"heldOut":{"accuracyAtDatasetBudget":{"high"\#
    :0.8158132888783047,"low":0.17619456352041507,"value":0.4920078523987195},"accuracyAtOwnBudgets":{"high":0.840\#
    6627900822969,"low":0.18247995554497118,"value":0.5114961234156288},"datasetBudgets":[8,16],"folds":2,"gain":{\#
    "high":0.046416309438756444,"low":-0.0001504987960091649,"value":0.019488271016909257},"grid":[1,2,4,8,16],"ha\#
    lf":20,"inSampleGain":{"high":0.0555026329020137,"low":3.7007434154171886e-16,"value":0.021215368738589035},"m\#
    eanSampleOptimal":4.5,"overscalingIndex":0.4010416666666667,"predictor":{"accuracyAtDatasetBudget":0.492007852\#
    39871947,"accuracyAtPredicted":0.39533056812468587,"costRatio":0.3854166666666667},"savedFraction":0.598958333\#
    3333333},"meanSampleOptimal":5.166666666666667,"overscalingIndex":0.3229166666666667,"poolMax":43,"poolMin":40\#
    ,"problemBands":{"alg-01":{"high":[1,1,1,1,0.9999999999999974,0.999999999999995],"kind":"simultaneous","low":[\#
    0.792406802067273,0.7924068020672701,0.9635627530364336,0.9969795869579173,0.9999999999999593,0.99999999999995\#
    64]},"alg-02":{"high":[0.8139534883721088,0.8139534883721086,1,1,1,1],"kind":"simultaneous","low":[0.348837209\#
    3023334,0.3488372093023334,0.5119866032932582,0.6947491318208799,0.8557607203811448,0.9589838868419857]},"geo-\#
    01":{"high":[0,0,0,0,0,0],"kind":"simultaneous","low":[0,0,0,0,0,0]},"geo-02":{"high":[0.3016069946666579,0.30\#
    160699466665275,0.34042020033314824,0.38182424679703264,0.40391666666666703,0.4789781881865246],"kind":"simult\#
    aneous","low":[0,0,0,0,0,0]},"num-01":{"high":[0.915820747554886,0.9158207475548695,1,1,1,1],"kind":"simultane\#
    ous","low":[0.5841792524451049,0.5841792524450947,0.7782736308675653,0.9120933269540002,0.9843727590138633,0.9\#
    999999999999724]},"num-02":{"high":[0.05393493809293436,0.05393493809293348,0.03871320713425948,0.015799452267\#
    20731,0.006943572632927691,4.914037776753593e-05],"kind":"simultaneous","low":[0,0,0,0,0,0]}},"redundancy":0.6\#
    770833333333333,"rolloutsAtDatasetBudget":96,"rolloutsAtOracleBudgets":31,"rows":[{"accuracyAtDatasetBudget":0\#
    ,"accuracyAtOwnBudget":0.02499999999999979,"meanTokens":35.55,"needed":1,"problem":"num-02","spent":16,"type":\#
    "decreasing","wastedRollouts":15,"wastedTokens":533.25},{"accuracyAtDatasetBudget":0,"accuracyAtOwnBudget":0,"\#
    meanTokens":31.675,"needed":1,"problem":"geo-01","spent":16,"type":"always_wrong","wastedRollouts":15,"wastedT\#
    okens":475.125},{"accuracyAtDatasetBudget":0.047075,"accuracyAtOwnBudget":0.1499999999999988,"meanTokens":29.6\#
    ,"needed":1,"problem":"geo-02","spent":16,"type":"decreasing","wastedRollouts":15,"wastedTokens":444},{"accura\#
    cyAtDatasetBudget":0.9999999999999784,"accuracyAtOwnBudget":0.9951635846372613,"meanTokens":33.7,"needed":4,"p\#
    roblem":"alg-01","spent":16,"type":"increasing","wastedRollouts":12,"wastedTokens":404.40000000000003},{"accur\#
    acyAtDatasetBudget":0.9999999999999895,"accuracyAtOwnBudget":0.9917829453433087,"meanTokens":32.325,"needed":8\#
    ,"problem":"num-01","spent":16,"type":"increasing","wastedRollouts":8,"wastedTokens":258.6},{"accuracyAtDatase\#
    tBudget":0.9936666666666666,"accuracyAtOwnBudget":0.9936666666666666,"meanTokens":31.023255813953487,"needed":\#
    16,"problem":"alg-02","spent":16,"type":"increasing","wastedRollouts":0,"wastedTokens":0}],"sampleOptimal":{"a\#
    lg-01":4,"alg-02":16,"geo-01":1,"geo-02":1,"num-01":8,"num-02":1},"sampleTypes":{"always_wrong":1,"decreasing"\#
    :2,"increasing":3},"savedFraction":0.6770833333333333,"tokensWasted":2115.375},"budgetPredictor":{"accuracyAtD\#
    atasetBudget":0.5067902777777724,"accuracyAtMedian":0.476800277396227,"accuracyAtPredicted":0.4084882914649273\#
    ,"costRatio":0.3541666666666667,"costRatioMedian":0.25,"folds":3,"lambda":0.5,"layerErrors":[2.57450275368946,\#
    2.627009290261721,2.6563500342788546],"layerWeights":[0.3390749027377199,0.33229774787674105,0.328627349385539\#
    ],"medianBudget":4,"predicted":[4,1,16,8,1,4]},"cells":[{"accuracy":{"high":1,"low":0.2857142857142857,"value"\#
    :0.5714285714285714},"compute":{"generatedTokens":248,"promptTokens":0,"rollouts":7,"seconds":0,"unknownFlops"\#
    :7,"unknownPromptTokens":7},"costOverhead":0,"extraPerToken":0,"gateRate":0,"layers":0,"majAtK":[0.57142857142\#
    85714],"majBand":{"high":[0.8571428571428571],"kind":"pointwise","low":[0.14285714285714285]},"majK":[1],"majM\#
    ethod":"exact","meanTokens":35.42857142857143,"passAtK":[0.5714285714285714],"passBand":{"high":[0.85714285714\#
    28571],"kind":"pointwise","low":[0.2857142857142857]},"passHatK":[0.5714285714285714],"samples":1,"temperature\#
    ":0},{"accuracy":{"high":0.4701298701298701,"low":0.11655844155844156,"value":0.2772727272727273},"compute":{"\#
    generatedTokens":2030,"promptTokens":0,"rollouts":61,"seconds":0,"unknownFlops":61,"unknownPromptTokens":61},"\#
    costOverhead":0,"extraPerToken":0,"gateRate":0,"layers":0,"majAtK":[0.27727272727272684,0.27727272727272706,0.\#
    3061739847454126,0.3119666048237471,0.33163265306122397,0.34948979591836693,0.3979591836734682,0.4285714285714\#
    284],"majBand":{"high":[0.4737012987012978,0.47370129870129835,0.5368377654091924,0.5579468150896711,0.6020408\#
    163265293,0.6428571428571418,0.7193877551020391,0.7142857142857143],"kind":"pointwise","low":[0.09740259740259\#
    73,0.09740259740259737,0.09013605442176857,0.09081632653061213,0.0918367346938775,0.09608843537414961,0.112244\#
    89795918344,0.14285714285714265]},"majK":[1,2,3,4,5,6,7,8],"majMethod":"exact","meanTokens":33.278688524590166\#
    ,"passAtK":[0.2772727272727273,0.44059987631416203,0.5418521954236241,0.6124922696351268,0.6695269016697588,0.\#
    7207792207792209,0.7694805194805195,0.8181818181818182],"passBand":{"high":[0.4428571428571429,0.6659863945578\#
    232,0.752891156462585,0.815213358070501,0.863404452690167,0.8993506493506495,0.9464285714285714,1],"kind":"poi\#
    ntwise","low":[0.10227272727272728,0.20454545454545456,0.3068181818181818,0.3557823129251701,0.415584415584415\#
    6,0.4772727272727274,0.5357142857142857,0.5714285714285714]},"passHatK":[0.2772727272727273,0.1139455782312925\#
    ,0.05187074829931972,0.02040816326530612,0.005952380952380952,0.0006802721088435375,0,0],"samples":8,"temperat\#
    ure":0.7},{"accuracy":{"high":0.6968992248062015,"low":0.12189922480620156,"value":0.4010658914728682},"comput\#
    e":{"generatedTokens":7848,"promptTokens":0,"rollouts":243,"seconds":0,"unknownFlops":243,"unknownPromptTokens\#
    ":243},"costOverhead":0,"extraPerToken":0,"gateRate":0,"layers":0,"majAtK":[0.4010658914728678,0.4010658914728\#
    639,0.45582698519864445,0.476800277396227,0.489163948357868,0.49724755010713056,0.5026309910149939,0.506164228\#
    6608854,0.5084836948175444,0.5099005566891396,0.5103182411629976,0.5113709159363872,0.5107377606549611,0.51011\#
    81673569537,0.5099916520891905,0.5085777777777724,0.5081055555555546,0.5074097222222207,0.5067361111111138,0.5\#
    052430555555537,0.5054986111111114,0.5038013888888871,0.5032666666666659,0.5018541666666623,0.5015486111111098\#
    ,0.5016111111111078,0.5009305555555498,0.5003472222222215,0.5002638888888882,0.5000833333333347,0.500027777777\#
    7749,0.500027777777772,0.5000000000000017,0.49999999999999395,0.4999999999999987,0.49999999999999845,0.4999999\#
    999999971,0.4999999999999929,0.49999999999999734,0.5],"majBand":{"high":[0.6906976744186076,0.690697674418602,\#
    0.7737026037321503,0.8058639058019582,0.8205585008050506,0.8297987826583553,0.8357059432849906,0.8394413885634\#
    249,0.8417985096323536,0.8432338900224733,0.8436515744963283,0.8447042492697187,0.8440710939882865,0.843451500\#
    690286,0.8433249854225195,0.8419111111111022,0.8414388888888896,0.8407430555555546,0.8400694444444521,0.838576\#
    3888888872,0.8388319444444473,0.8371347222222213,0.8366000000000006,0.8351874999999933,0.8348819444444434,0.83\#
    4944444444439,0.8342638888888798,0.8336805555555551,0.8335972222222217,0.8334166666666699,0.8333611111111067,0\#
    .8333611111111018,0.8333333333333388,0.833333333333329,0.8333333333333327,0.8333333333333331,0.833333333333332\#
    9,0.8333333333333263,0.8333333333333311,0.8333333333333334],"kind":"pointwise","low":[0.13023255813953658,0.13\#
    023255813953596,0.1487138497960383,0.1599516980476485,0.16554057802397149,0.1691817167781452,0.172076301327177\#
    2,0.17425657786779067,0.17584008982158308,0.1768723539899453,0.1771129876010842,0.17808322666148257,0.17741751\#
    559966637,0.17678758945057504,0.17665861398017704,0.17524444444444445,0.17477222222222222,0.17407638888888702,\#
    0.1734027777777778,0.17190972222222223,0.1721652777777778,0.17046805555555367,0.1699333333333318,0.16852083333\#
    333015,0.16821527777777634,0.1682777777777756,0.16759722222221884,0.16701388888888802,0.16693055555555467,0.16\#
    674999999999998,0.16669444444444223,0.1666944444444404,0.16666666666666666,0.16666666666666452,0.1666666666666\#
    6638,0.16666666666666657,0.16666666666666644,0.1666666666666626,0.16666666666666555,0.16666666666666666]},"maj\#
    K":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,3\#
    9,40],"majMethod":"monte_carlo","meanTokens":32.2962962962963,"passAtK":[0.4010658914728682,0.5159915665729619\#
    ,0.565110052772754,0.5942407058148768,0.6154732994020841,0.6327528343358119,0.647575846830982,0.66060175900354\#
    75,0.6721821629489941,0.6825471681104675,0.6918731888397082,0.7003080012274866,0.7079802156496916,0.7150031545\#
    489443,0.7214767896582416,0.7274890273928672,0.7331167706096476,0.7384268884266145,0.743477130977131,0.7483169\#
    983169984,0.7529885654885655,0.7575272641062115,0.7619626205152521,0.766318950529477,0.7706160107475898,0.7748\#
    696064485538,0.7790921560658403,0.7832932122405807,0.7874799394536236,0.7916575482364956,0.7958296859612649,0.\#
    7999987842093105,0.8041663627189943,0.8083332899122372,0.8125,0.8166666666666668,0.8208333333333333,0.82500000\#
    00000001,0.8291666666666666,0.8333333333333334],"passBand":{"high":[0.6718992248062015,0.8300941306755262,0.88\#
    38516182248458,0.9105225747283244,0.9279094703908868,0.9410770492389742,0.9517414407411579,0.9606016614802302,\#
    0.9680154901871202,0.9742138345805146,0.9793731888397083,0.9836413345608199,0.9871468823163583,0.9900031545489\#
    444,0.992310122991575,0.9941556940595339,0.9956167706096476,0.9967602217599478,0.9976437976437976,0.9983169983\#
    169983,0.9988218988218988,0.9991939307728782,0.999462620515252,0.9996522838628102,0.9997826774142563,0.9998696\#
    064485538,0.9999254893991735,0.9999598789072474,0.9999799394536236,0.999990881569829,0.9999963526279316,0.9999\#
    987842093105,0.9999996960523276,0.999999956578904,1,1,1,1,1,1],"kind":"pointwise","low":[0.13333333333333333,0\#
    .20384615384615387,0.25536437246963567,0.2817084290768501,0.3044567847199426,0.3249270091375354,0.343573777397\#
    3068,0.36065205260251704,0.37636319921536643,0.39088430516137,0.40437411095305836,0.4169748696064486,0.4288135\#
    880241144,0.4400031610557927,0.45064345722240456,0.4608223608223609,0.4706167706167707,0.48009355509355517,0.4\#
    893104643104644,0.4983169983169983,0.4988218988218988,0.49919393077287816,0.4994626205152521,0.499652283862810\#
    2,0.49978267741425636,0.49986960644855377,0.4999254893991736,0.4999598789072473,0.4999799394536237,0.499990881\#
    5698289,0.4999963526279316,0.49999878420931054,0.49999969605232764,0.49999995657890395,0.5,0.5,0.5,0.5,0.5,0.5\#
    ]},"passHatK":[0.4010658914728682,0.2861402163727745,0.22033302747247277,0.17451367172984036,0.140784089689961\#
    84,0.11519928055140165,0.09531077972764586,0.07950723673114969,0.06670658515287052,0.05616969529414229,0.04738\#
    181435948602,0.039976737379922515,0.03368812458244247,0.02831797568576476,0.02371592580902079,0.01976539316027\#
    1243,0.016374113624868118,0.013467538305631237,0.010984148664621135,0.008872094703503143,0.007086772397246882,\#
    0.005589083309138709,0.0043441966712916575,0.0033206831171597177,0.0024899218856068114,0.0018257065364575597,0\#
    .0013039917476649723,0.0009027375638281458,0.0006018185541055807,0.0003829742638041847,0.00022978444031075598,\#
    0.00012765802239486442,6.382901119743221e-05,2.7355290513185233e-05,9.118430171061744e-06,1.8236860342123488e-\#
    06,0,0,0,0],"samples":40,"temperature":1},{"accuracy":{"high":1,"low":0,"value":0.5},"compute":{"generatedToke\#
    ns":261,"promptTokens":0,"rollouts":6,"seconds":0,"unknownFlops":6,"unknownPromptTokens":6},"costOverhead":0.0\#
    5213464696223317,"extraPerToken":1.4597701149425288,"gateRate":0.5632183908045977,"layers":2,"majAtK":[0.5],"m\#
    ajBand":{"high":[0.8333333333333334],"kind":"pointwise","low":[0]},"majK":[1],"majMethod":"exact","meanTokens"\#
    :43.5,"passAtK":[0.5],"passBand":{"high":[0.8333333333333334],"kind":"pointwise","low":[0.16666666666666666]},\#
    "passHatK":[0.5],"samples":1,"temperature":0,"vsPlain":{"high":0,"low":0,"value":0}},{"accuracy":{"high":0.783\#
    3333333333333,"low":0.25,"value":0.5477272727272727},"compute":{"generatedTokens":1887,"promptTokens":0,"rollo\#
    uts":53,"seconds":0,"unknownFlops":53,"unknownPromptTokens":53},"costOverhead":0.052237111060640475,"extraPerT\#
    oken":1.4626391096979332,"gateRate":0.5479597244303127,"iterationHistogram":[3,5,1],"layers":2,"majAtK":[0.547\#
    7272727272724,0.5477272727272725,0.6141293891293883,0.6591991341991333,0.6910894660894654,0.72041847041847,0.7\#
    499999999999986,0.7499999999999997],"majBand":{"high":[0.8416666666666663,0.8416666666666668,0.930639730639728\#
    8,0.9571428571428564,0.9702380952380941,0.9821428571428569,0.9999999999999982,1],"kind":"pointwise","low":[0.2\#
    7272727272727243,0.27272727272727243,0.31547619047618985,0.35476190476190433,0.3875180375180369,0.404942279942\#
    27955,0.4166666666666658,0.41666666666666674]},"majK":[1,2,3,4,5,6,7,8],"majMethod":"exact","meanTokens":35.60\#
    377358490566,"passAtK":[0.5477272727272727,0.6901515151515151,0.7578643578643578,0.7947330447330447,0.81547619\#
    04761904,0.8273809523809524,0.8333333333333334,0.8333333333333334],"passBand":{"high":[0.8393939393939394,0.94\#
    61038961038962,0.9878787878787879,0.9976190476190476,1,1,1,1],"kind":"pointwise","low":[0.23106060606060605,0.\#
    36309523809523814,0.43643578643578645,0.4637806637806638,0.48214285714285715,0.49404761904761907,0.5,0.5]},"pa\#
    ssHatK":[0.5477272727272727,0.4053030303030303,0.3305916305916306,0.2867243867243867,0.25757575757575757,0.235\#
    85858585858585,0.21717171717171715,0.19999999999999998],"samples":8,"temperature":0.7,"vsPlain":{"high":0.3776\#
    515151515151,"low":0.10000000000000002,"value":0.24507575757575759}},{"accuracy":{"high":0.7222222222222222,"l\#
    ow":0.14814814814814814,"value":0.4259259259259259},"compute":{"generatedTokens":1301,"promptTokens":0,"rollou\#
    ts":39,"seconds":0,"unknownFlops":39,"unknownPromptTokens":39},"costOverhead":0.048039969254419675,"extraPerTo\#
    ken":1.345119139123751,"gateRate":0.49039200614911604,"iterationHistogram":[0,4,2,1],"layers":3,"majAtK":[0.42\#
    592592592592576,0.42592592592592565,0.4824074074074071,0.5244708994708992,0.6023809523809519,0.656746031746031\#
    5],"majBand":{"high":[0.7037037037037036,0.7037037037037036,0.782407407407407,0.8244708994708994,0.93571428571\#
    42852,0.9900793650793648],"kind":"pointwise","low":[0.16666666666666663,0.16666666666666666,0.1999999999999998\#
    4,0.22447089947089918,0.2888888888888888,0.32341269841269815]},"majK":[1,2,3,4,5,6],"majMethod":"exact","meanT\#
    okens":33.35897435897436,"passAtK":[0.4259259259259259,0.5611111111111112,0.6253968253968254,0.654232804232804\#
    3,0.6666666666666666,0.6666666666666666],"passBand":{"high":[0.6666666666666666,0.8222222222222223,0.925396825\#
    3968253,0.9764550264550266,1,1],"kind":"pointwise","low":[0.16666666666666666,0.2555555555555556,0.3,0.3222222\#
    2222222224,0.3333333333333333,0.3333333333333333]},"passHatK":[0.4259259259259259,0.2907407407407407,0.2198412\#
    6984126984,0.1843915343915344,0.167989417989418,0.16666666666666666],"samples":6,"temperature":1,"vsPlain":{"h\#
    igh":0.1136089577950043,"low":-0.03097545219638244,"value":0.024860034453057702}}],"compute":{"generatedTokens\#
    ":13575,"promptTokens":0,"rollouts":409,"seconds":0,"unknownFlops":409,"unknownPromptTokens":409},"depth":[{"b\#
    0":2,"breadthMajority":{"high":0.8,"low":0,"value":0.4},"breadthPass":{"high":1,"low":0.2,"value":0.6},"breadt\#
    hTokens":219.2,"budget":6,"depthMajority":{"high":0.825,"low":0.15,"value":0.525},"depthPass":{"high":1,"low":\#
    0.4,"value":0.8},"depthTokens":71.6,"layers":0,"majorityLift":0.3125,"passLift":0.333333333,"problems":5,"sign\#
    al":"entropy","temperature":1,"trials":2},{"b0":2,"breadthMajority":{"high":1,"low":0,"value":0.4},"breadthPas\#
    s":{"high":1,"low":0.2,"value":0.6},"breadthTokens":219.2,"budget":6,"depthMajority":{"high":0.6,"low":0,"valu\#
    e":0.275},"depthPass":{"high":1,"low":0.2,"value":0.6},"depthTokens":75.9,"layers":0,"majorityLift":-0.3125,"p\#
    assLift":0,"problems":5,"signal":"random","temperature":1,"trials":2},{"b0":2,"breadthMajority":{"high":1,"low\#
    ":0.2,"value":0.6},"breadthPass":{"high":1,"low":0.2,"value":0.6},"breadthTokens":186.8,"budget":6,"depthMajor\#
    ity":{"high":0.8,"low":0.05,"value":0.45},"depthPass":{"high":1,"low":0.4,"value":0.8},"depthTokens":79.1,"lay\#
    ers":3,"majorityLift":-0.25,"passLift":0.333333333,"problems":5,"signal":"entropy","temperature":1,"trials":2}\#
    ,{"b0":2,"breadthMajority":{"high":1,"low":0.2,"value":0.6},"breadthPass":{"high":1,"low":0.2,"value":0.6},"br\#
    eadthTokens":186.8,"budget":6,"depthMajority":{"high":0.75,"low":0,"value":0.35},"depthPass":{"high":0.9,"low"\#
    :0.3,"value":0.6},"depthTokens":79.8,"layers":3,"majorityLift":-0.416666667,"passLift":0,"problems":5,"signal"\#
    :"random","temperature":1,"trials":2}],"diversity":{"byTemperature":{"0.7":5.656854249492381,"1.0":7.220847413\#
    18747},"cell":{"layers":0,"temperature":1},"clustering":"answer_class","earlyTokenEntropy":1.5677353934426232,\#
    "effectiveApproaches":[2.802406970901281,6.65467721254944,7.7870176138255,9.784299533327795,4.1202664836207505\#
    ,11.742776800457731],"entropyForm":{"across":0.3511452793565879,"total":0.3511452793565879,"within":0},"eviden\#
    ce":"median K_eff 7.22 >= 2.5: samples spread over approaches; oracle at N=40 is 83.3% vs 40.1% single-sample,\#
     and per-problem budgets save 68% of rollouts (M_D = 0.32).","laterTokenEntropy":1.1763506563926327,"meanEntro\#
    py":1.8563652886749107,"medianEffectiveApproaches":7.22084741318747,"prefixTokens":8,"recommendation":"breadth\#
     at N = 16","regime":"high","threshold":2.5,"varianceForm":{"across":0.11212496619794483,"total":0.11212496619\#
    794483,"within":0}},"options":{"blockCount":28,"bordaP":0.5,"clustering":"answer_class","epsN":0.01,"folds":3,\#
    "keffThreshold":2.5,"level":0.95,"prefixTokens":8,"resamples":150,"ridgeLambda":0.5,"seed":11,"typeTolerance":\#
    1e-09},"perProblemAccuracy":{"L=0 T=0.0":{"alg-01":1,"alg-02":1,"geo-01":0,"geo-02":0,"num-01":1,"num-02":0,"p\#
    rob-01":1},"L=0 T=0.7":{"alg-01":0.625,"alg-02":0.09090909090909091,"geo-01":0,"geo-02":0.125,"num-01":0.6,"nu\#
    m-02":0.125,"prob-01":0.375},"L=0 T=1.0":{"alg-01":0.9,"alg-02":0.5813953488372093,"geo-01":0,"geo-02":0.15,"n\#
    um-01":0.75,"num-02":0.025},"L=2 T=0.0":{"alg-01":1,"alg-02":1,"geo-01":0,"geo-02":0,"num-01":1,"num-02":0},"L\#
    =2 T=0.7":{"alg-01":1,"alg-02":0.6363636363636364,"geo-01":0,"num-01":0.9,"num-02":0.25,"prob-01":0.5},"L=3 T=\#
    1.0":{"alg-01":1,"alg-02":0.5555555555555556,"geo-01":0,"geo-02":0.3333333333333333,"num-01":0.666666666666666\#
    6,"num-02":0}},"pools":{"jointMinusLOnlyPP":28.57142857142857,"jointMinusTOnlyPP":0,"overlap":{"both":4,"jacca\#
    rd":0.6666666666666666,"lOnlyExclusive":0,"neither":1,"tOnlyExclusive":2},"pools":[{"curve":[0.385951436851797\#
    ,0.53244093308319,0.6047857133541973,0.6465707049463004,0.6732033315943629,0.6919781851616251,0.70684687911466\#
    02,0.7197775996244047,0.7312301852535177],"name":"t_only","oracle":{"high":1,"low":0.5714285714285714,"value":\#
    0.8571428571428571},"rolloutsPerProblem":9,"solved":["alg-01","alg-02","geo-02","num-01","num-02","prob-01"]},\#
    {"curve":[0.5714285714285714],"name":"l_only","oracle":{"high":0.8571428571428571,"low":0.2857142857142857,"va\#
    lue":0.5714285714285714},"rolloutsPerProblem":1,"solved":["alg-01","alg-02","num-01","prob-01"]},{"curve":[0.4\#
    086776157831555,0.5520284406342698,0.622029716511772,0.6635813338477631,0.6915360238193144,0.7122479411163943,\#
    0.728776429975853,0.7426546564183543,0.7546651759605263,0.7652246830302512,0.7745794241159574,0.78289959176870\#
    76,0.7903198314004627,0.7969536933260561,0.8028983482507316,0.8082375050834189,0.8130434594287294],"name":"joi\#
    nt","oracle":{"high":1,"low":0.5714285714285714,"value":0.8571428571428571},"rolloutsPerProblem":17,"solved":[\#
    "alg-01","alg-02","geo-02","num-01","num-02","prob-01"]}]},"problems":7,"refinement":[{"breadthMajority":{"hig\#
    h":0.47370129870129835,"low":0.11525974025974021,"value":0.27727272727272706},"breadthPass":{"high":0.66598639\#
    4557823,"low":0.1989795918367347,"value":0.440599876314162},"breadthTokens":66.78246753246754,"budget":2,"laye\#
    rs":0,"liftOverMajority":0.37392662,"problems":7,"refineTokens":51,"refined":{"high":0.6666666666666667,"low":\#
    0.14285714285714285,"value":0.380952380952381},"round":1,"temperature":0.7},{"breadthMajority":{"high":0.53673\#
    46938775498,"low":0.11273964131106975,"value":0.30617398474541263},"breadthPass":{"high":0.8042517006802721,"l\#
    ow":0.2532467532467532,"value":0.5418521954236241},"breadthTokens":100.1737012987013,"budget":3,"layers":0,"li\#
    ftOverMajority":0.710823094,"problems":7,"refineTokens":72.28571428571429,"refined":{"high":0.761904761904762,\#
    "low":0.23809523809523808,"value":0.5238095238095238},"round":2,"temperature":0.7},{"breadthMajority":{"high":\#
    0.5527829313543587,"low":0.09774273345701905,"value":0.3119666048237471},"breadthPass":{"high":0.9068027210884\#
    354,"low":0.3175015460729747,"value":0.6124922696351268},"breadthTokens":133.56493506493507,"budget":4,"layers\#
    ":0,"liftOverMajority":0.373773417,"problems":7,"refineTokens":88.80952380952381,"refined":{"high":0.619047619\#
    047619,"low":0.19047619047619047,"value":0.4285714285714285},"round":3,"temperature":0.7},{"breadthMajority":{\#
    "high":0.7560606060606059,"low":0.31439393939393906,"value":0.5477272727272725},"breadthPass":{"high":0.927272\#
    7272727271,"low":0.3630952380952381,"value":0.6901515151515151},"breadthTokens":71.6189393939394,"budget":2,"l\#
    ayers":2,"liftOverMajority":-0.18856616,"problems":6,"refineTokens":52.61111111111111,"refined":{"high":0.7222\#
    222222222222,"low":0.1111111111111111,"value":0.4444444444444444},"round":1,"temperature":0.7},{"breadthMajori\#
    ty":{"high":0.867147667147666,"low":0.30960798460798405,"value":0.6141293891293883},"breadthPass":{"high":0.98\#
    40548340548341,"low":0.48405483405483407,"value":0.7578643578643578},"breadthTokens":107.4284090909091,"budget\#
    ":3,"layers":2,"liftOverMajority":-0.004914727,"problems":6,"refineTokens":72.94444444444444,"refined":{"high"\#
    :0.8333333333333334,"low":0.38888888888888884,"value":0.611111111111111},"round":2,"temperature":0.7},{"breadt\#
    hMajority":{"high":0.9272727272727249,"low":0.36872294372294306,"value":0.6591991341991333},"breadthPass":{"hi\#
    gh":0.9971139971139972,"low":0.4619047619047619,"value":0.7947330447330447},"breadthTokens":143.2378787878788,\#
    "budget":4,"layers":2,"liftOverMajority":-0.241503858,"problems":6,"refineTokens":91.88888888888887,"refined":\#
    {"high":0.7222222222222222,"low":0.2222222222222222,"value":0.5},"round":3,"temperature":0.7}],"rollouts":409,\#
    "selection":{"bestOfNLogprob":{"high":1,"low":0.3333333333333333,"value":0.6666666666666666},"bestOfNSelfCerta\#
    inty":{"high":1,"low":0.16666666666666666,"value":0.6666666666666666},"bordaSelfCertainty":{"high":0.833333333\#
    3333334,"low":0.16666666666666666,"value":0.5},"cell":{"layers":0,"temperature":1},"majority":{"high":0.833333\#
    3333333334,"low":0.16666666666666666,"value":0.5},"meanAccuracy":{"high":0.6541666666666667,"low":0.1302325581\#
    395349,"value":0.4010658914728682},"oracle":{"high":1,"low":0.5,"value":0.8333333333333334}},"trainingSignal":\#
    [{"groupSize":9,"meanVariance":0.13021288553901597,"mixedFraction":0.6942780819886133,"pool":"t_only"},{"group\#
    Size":9,"meanVariance":0.12742295542321286,"mixedFraction":0.6989056797926002,"pool":"joint"}]}
    """#

/// RunReport and its nested report types: stored fields in declaration order.
let runReportFieldOrderGolden = """
    RunReport: problems,rollouts,options,cells,pools,audit,selection,trainingSignal,diversity,budgetPredictor,perProblemAccuracy,depth,refinement,compute
    RunReport.options: resamples,level,seed,epsN,typeTolerance,keffThreshold,bordaP,blockCount,folds,ridgeLambda,clustering,prefixTokens,heldOutFolds
    RunReport.cells[]: layers,temperature,samples,accuracy,passAtK,majAtK,majK,passHatK,majMethod,meanTokens,gateRate,extraPerToken,costOverhead,iterationHistogram,vsPlain,compute,passBand,majBand
    RunReport.cells[].accuracy: value,low,high
    RunReport.cells[].compute: rollouts,promptTokens,generatedTokens,seconds,flops,unknownPromptTokens,unknownFlops
    RunReport.cells[].passBand: low,high,kind
    RunReport.cells[].majBand: low,high,kind
    RunReport.pools: pools,jointMinusTOnlyPP,jointMinusLOnlyPP,overlap
    RunReport.pools.pools[]: name,rolloutsPerProblem,oracle,curve,solved
    RunReport.pools.pools[].oracle: value,low,high
    RunReport.pools.overlap: both,tOnlyExclusive,lOnlyExclusive,neither,jaccard
    RunReport.audit: cell,datasetBudget,meanSampleOptimal,overscalingIndex,redundancy,curse,grid,datasetCurve,datasetBand,problemBands,sampleTypes,accuracyAtDatasetBudget,accuracyAtOracleBudgets,rolloutsAtDatasetBudget,rolloutsAtOracleBudgets,tokensWasted,savedFraction,rows,sampleOptimal,curves,poolMin,poolMax,heldOut,aggregators
    RunReport.audit.cell: layers,temperature
    RunReport.audit.datasetBand: low,high,kind
    RunReport.audit.accuracyAtDatasetBudget: value,low,high
    RunReport.audit.accuracyAtOracleBudgets: value,low,high
    RunReport.audit.rows[]: problem,spent,needed,wastedRollouts,wastedTokens,meanTokens,accuracyAtDatasetBudget,accuracyAtOwnBudget,type
    RunReport.audit.heldOut: folds,half,grid,datasetBudgets,meanSampleOptimal,overscalingIndex,accuracyAtDatasetBudget,accuracyAtOwnBudgets,gain,inSampleGain,savedFraction,predictor
    RunReport.audit.heldOut.accuracyAtDatasetBudget: value,low,high
    RunReport.audit.heldOut.accuracyAtOwnBudgets: value,low,high
    RunReport.audit.heldOut.gain: value,low,high
    RunReport.audit.heldOut.inSampleGain: value,low,high
    RunReport.audit.heldOut.predictor: accuracyAtPredicted,accuracyAtDatasetBudget,costRatio
    RunReport.audit.aggregators[]: name,datasetCurve,datasetBudget,meanSampleOptimal,overscalingIndex,accuracyAtDatasetBudget,accuracyAtOwnBudgets,accuracyAtLargestBudget
    RunReport.audit.aggregators[].accuracyAtDatasetBudget: value,low,high
    RunReport.audit.aggregators[].accuracyAtOwnBudgets: value,low,high
    RunReport.audit.aggregators[].accuracyAtLargestBudget: value,low,high
    RunReport.selection: cell,meanAccuracy,majority,bestOfNSelfCertainty,bestOfNLogprob,bordaSelfCertainty,oracle
    RunReport.selection.cell: layers,temperature
    RunReport.selection.meanAccuracy: value,low,high
    RunReport.selection.majority: value,low,high
    RunReport.selection.bestOfNSelfCertainty: value,low,high
    RunReport.selection.bestOfNLogprob: value,low,high
    RunReport.selection.bordaSelfCertainty: value,low,high
    RunReport.selection.oracle: value,low,high
    RunReport.trainingSignal[]: pool,groupSize,mixedFraction,meanVariance
    RunReport.diversity: cell,clustering,medianEffectiveApproaches,regime,threshold,effectiveApproaches,meanEntropy,varianceForm,entropyForm,byTemperature,earlyTokenEntropy,laterTokenEntropy,prefixTokens,recommendation,evidence
    RunReport.diversity.cell: layers,temperature
    RunReport.diversity.varianceForm: total,across,within
    RunReport.diversity.entropyForm: total,across,within
    RunReport.budgetPredictor: folds,lambda,layerErrors,layerWeights,predicted,accuracyAtPredicted,accuracyAtDatasetBudget,costRatio,accuracyAtMedian,costRatioMedian,medianBudget
    RunReport.depth[]: layers,temperature,signal,budget,b0,problems,trials,breadthPass,breadthMajority,depthPass,depthMajority,passLift,majorityLift,breadthTokens,depthTokens
    RunReport.depth[].breadthPass: value,low,high
    RunReport.depth[].breadthMajority: value,low,high
    RunReport.depth[].depthPass: value,low,high
    RunReport.depth[].depthMajority: value,low,high
    RunReport.refinement[]: layers,temperature,round,budget,problems,refined,breadthMajority,breadthPass,liftOverMajority,refineTokens,breadthTokens
    RunReport.refinement[].refined: value,low,high
    RunReport.refinement[].breadthMajority: value,low,high
    RunReport.refinement[].breadthPass: value,low,high
    RunReport.compute: rollouts,promptTokens,generatedTokens,seconds,flops,unknownPromptTokens,unknownFlops
    """

/// RunReportGoldenTests.plainReport(), recorded from the code before the Analysis split.
let plainRunReportGolden = #"""
    {"audit":{"accuracyAtDatasetBudget":{"high":0.8333333333333172,"low":0.16666666666666305,"value":0.50786527777\#
    77725},"accuracyAtOracleBudgets":{"high":0.8583333333333295,"low":0.17083333333333328,"value":0.52916666666666\#
    09},"aggregators":[{"accuracyAtDatasetBudget":{"high":0.8333333333333209,"low":0.17503194444444084,"value":0.5\#
    078652777777725},"accuracyAtLargestBudget":{"high":0.8333333333333216,"low":0.1666666666666626,"value":0.49999\#
    999999999417},"accuracyAtOwnBudgets":{"high":0.858333333333326,"low":0.0874999999999993,"value":0.529166666666\#
    6609},"datasetBudget":16,"datasetCurve":[0.4010658914728678,0.4010658914728639,0.476800277396227,0.50616422866\#
    08854,0.5078652777777725,0.49999999999999417],"meanSampleOptimal":9.833333333333334,"name":"majority","oversca\#
    lingIndex":0.6145833333333334},{"accuracyAtDatasetBudget":{"high":1,"low":0.3314699314699315,"value":0.6657349\#
    657349657},"accuracyAtLargestBudget":{"high":1,"low":0.3314699314699315,"value":0.6657349657349657},"accuracyA\#
    tOwnBudgets":{"high":0.999068299068299,"low":0.3388888888888873,"value":0.6712905212905197},"datasetBudget":32\#
    ,"datasetCurve":[0.401065891472874,0.4955646420762696,0.5577108374418617,0.5998832636008244,0.6377571803053133\#
    ,0.6657349657349657],"meanSampleOptimal":19.166666666666668,"name":"best_of_n_self_certainty","overscalingInde\#
    x":0.5989583333333334},{"accuracyAtDatasetBudget":{"high":0.9983332068235194,"low":0.30081701134332745,"value"\#
    :0.6333224098367248},"accuracyAtLargestBudget":{"high":0.9983332068235194,"low":0.30081701134332745,"value":0.\#
    6333224098367248},"accuracyAtOwnBudgets":{"high":0.9674399840235591,"low":0.3091394211800526,"value":0.6374890\#
    765033917},"datasetBudget":32,"datasetCurve":[0.4010658914728679,0.45359485475765265,0.4883237046818889,0.5208\#
    207021185899,0.5631459936585669,0.6333224098367248],"meanSampleOptimal":21.666666666666668,"name":"best_of_n_l\#
    ogprob","overscalingIndex":0.6770833333333334},{"accuracyAtDatasetBudget":{"high":0.8303333333333334,"low":0.1\#
    6399999999999998,"value":0.5365833333333334},"accuracyAtLargestBudget":{"high":0.8333333333333334,"low":0.1666\#
    6666666666666,"value":0.5036666666666666},"accuracyAtOwnBudgets":{"high":0.8385833333333332,"low":0.2161666666\#
    666667,"value":0.5495},"datasetBudget":8,"datasetCurve":[0.4093333333333333,0.496,0.516,0.5365833333333334,0.5\#
    334166666666667,0.5036666666666666],"meanSampleOptimal":10.166666666666666,"name":"weighted_majority_self_cert\#
    ainty","overscalingIndex":1.2708333333333333},{"accuracyAtDatasetBudget":{"high":0.9999975684186211,"low":0.5,\#
    "value":0.7999987842093105},"accuracyAtLargestBudget":{"high":0.9999975684186211,"low":0.5,"value":0.799998784\#
    2093105},"accuracyAtOwnBudgets":{"high":1,"low":0.4666666666666666,"value":0.7999987842093105},"datasetBudget"\#
    :32,"datasetCurve":[0.4010658914728682,0.5159915665729619,0.5942407058148768,0.6606017590035473,0.727489027392\#
    8672,0.7999987842093105],"meanSampleOptimal":20.166666666666668,"name":"oracle","overscalingIndex":0.630208333\#
    3333334}],"cell":{"layers":0,"temperature":1},"curse":true,"curves":{"alg-01":[0.8999999999999916,0.8999999999\#
    999846,0.9951635846372613,0.9999999999999778,0.9999999999999784,0.9999999999999757],"alg-02":[0.58139534883722\#
    11,0.581395348837221,0.7945061178186643,0.9364399695623565,0.997,1],"geo-01":[0,0,0,0,0,0],"geo-02":[0.1499999\#
    999999988,0.14999999999999603,0.13331327278695562,0.10842541647495041,0.05019166666666666,0],"num-01":[0.74999\#
    99999999954,0.7499999999999821,0.9218732902943452,0.9917829453433087,0.9999999999999895,0.9999999999999895],"n\#
    um-02":[0.02499999999999979,0.024999999999999398,0.015945398840135617,0.0003370405847186005,0,0]},"datasetBand\#
    ":{"high":[0.6479651162790718,0.647965116279066,0.7771749698467832,0.8355410395634879,0.8531244058210139,0.851\#
    8897676828028],"kind":"simultaneous","low":[0.15416666666666376,0.1541666666666619,0.17642558494567073,0.17678\#
    741775828294,0.16260614973453097,0.14811023231718562]},"datasetBudget":16,"datasetCurve":[0.4010658914728678,0\#
    .4010658914728639,0.476800277396227,0.5061642286608854,0.5078652777777725,0.49999999999999417],"grid":[1,2,4,8\#
    ,16,32],"heldOut":{"accuracyAtDatasetBudget":{"high":0.8367692263590119,"low":0.014510950579062064,"value":0.5\#
    108192647279347},"accuracyAtOwnBudgets":{"high":0.8492718724916907,"low":0.17364551083591373,"value":0.5207631\#
    005618639},"datasetBudgets":[16,8],"folds":2,"gain":{"high":0.019311145510835875,"low":0.0014576883384938555,"\#
    value":0.009943835833929212},"grid":[1,2,4,8,16],"half":20,"inSampleGain":{"high":0.03177773808578766,"low":0.\#
    004063467492259294,"value":0.016465560583207393},"meanSampleOptimal":6.75,"overscalingIndex":0.682291666666666\#
    7,"savedFraction":0.31770833333333326},"meanSampleOptimal":9.833333333333334,"overscalingIndex":0.614583333333\#
    3334,"poolMax":43,"poolMin":40,"problemBands":{"alg-01":{"high":[1,1,1,1,0.9999999999999976,0.9999999999999957\#
    ],"kind":"simultaneous","low":[0.7996658918410413,0.7996658918410374,0.9674800306379236,0.9983796462948685,0.9\#
    999999999999591,0.9999999999999557]},"alg-02":{"high":[0.7491835033905889,0.74918350339059,0.99849115732795,1,\#
    1,1],"kind":"simultaneous","low":[0.41360719428385323,0.41360719428385195,0.5905210783093786,0.773053770643120\#
    1,0.9217973342549332,0.9927577399912358]},"geo-01":{"high":[0,0,0,0,0,0],"kind":"simultaneous","low":[0,0,0,0,\#
    0,0]},"geo-02":{"high":[0.3246181460589064,0.3246181460589008,0.3619943189562529,0.39471466896230223,0.3833083\#
    333333335,0.34519293048766203],"kind":"simultaneous","low":[0,0,0,0,0,0]},"num-01":{"high":[0.8995991257018952\#
    ,0.8995991257018797,1,1,1,1],"kind":"simultaneous","low":[0.6004008742980957,0.6004008742980845,0.800715191853\#
    3618,0.9338299740776386,0.990130860876365,0.9999999999999731]},"num-02":{"high":[0.102044232404556,0.102044232\#
    40455432,0.07457022181824234,0.033738666246405806,0.007562448031073501,0],"kind":"simultaneous","low":[0,0,0,0\#
    ,0,0]}},"redundancy":0.38541666666666663,"rolloutsAtDatasetBudget":96,"rolloutsAtOracleBudgets":59,"rows":[{"a\#
    ccuracyAtDatasetBudget":0,"accuracyAtOwnBudget":0.02499999999999979,"meanTokens":35.55,"needed":1,"problem":"n\#
    um-02","spent":16,"type":"decreasing","wastedRollouts":15,"wastedTokens":533.25},{"accuracyAtDatasetBudget":0,\#
    "accuracyAtOwnBudget":0,"meanTokens":31.675,"needed":1,"problem":"geo-01","spent":16,"type":"always_wrong","wa\#
    stedRollouts":15,"wastedTokens":475.125},{"accuracyAtDatasetBudget":0.05019166666666666,"accuracyAtOwnBudget":\#
    0.1499999999999988,"meanTokens":29.6,"needed":1,"problem":"geo-02","spent":16,"type":"decreasing","wastedRollo\#
    uts":15,"wastedTokens":444},{"accuracyAtDatasetBudget":0.9999999999999784,"accuracyAtOwnBudget":0.999999999999\#
    9778,"meanTokens":33.7,"needed":8,"problem":"alg-01","spent":16,"type":"increasing","wastedRollouts":8,"wasted\#
    Tokens":269.6},{"accuracyAtDatasetBudget":0.997,"accuracyAtOwnBudget":1,"meanTokens":31.023255813953487,"neede\#
    d":32,"problem":"alg-02","spent":16,"type":"increasing","wastedRollouts":0,"wastedTokens":0},{"accuracyAtDatas\#
    etBudget":0.9999999999999895,"accuracyAtOwnBudget":0.9999999999999895,"meanTokens":32.325,"needed":16,"problem\#
    ":"num-01","spent":16,"type":"increasing","wastedRollouts":0,"wastedTokens":0}],"sampleOptimal":{"alg-01":8,"a\#
    lg-02":32,"geo-01":1,"geo-02":1,"num-01":16,"num-02":1},"sampleTypes":{"always_wrong":1,"decreasing":2,"increa\#
    sing":3},"savedFraction":0.38541666666666663,"tokensWasted":1721.975},"cells":[{"accuracy":{"high":0.857142857\#
    1428571,"low":0.14285714285714285,"value":0.5714285714285714},"compute":{"generatedTokens":248,"promptTokens":\#
    0,"rollouts":7,"seconds":0,"unknownFlops":7,"unknownPromptTokens":7},"extraPerToken":0,"gateRate":0,"layers":0\#
    ,"majAtK":[0.5714285714285714],"majBand":{"high":[1],"kind":"pointwise","low":[0.14285714285714285]},"majK":[1\#
    ],"majMethod":"exact","meanTokens":35.42857142857143,"passAtK":[0.5714285714285714],"passBand":{"high":[1],"ki\#
    nd":"pointwise","low":[0.2857142857142857]},"passHatK":[0.5714285714285714],"samples":1,"temperature":0},{"acc\#
    uracy":{"high":0.49870129870129876,"low":0.11525974025974027,"value":0.2772727272727273},"compute":{"generated\#
    Tokens":2030,"promptTokens":0,"rollouts":61,"seconds":0,"unknownFlops":61,"unknownPromptTokens":61},"extraPerT\#
    oken":0,"gateRate":0,"layers":0,"majAtK":[0.27727272727272684,0.27727272727272706,0.3061739847454126,0.3119666\#
    048237471,0.33163265306122397,0.34948979591836693,0.3979591836734682,0.4285714285714284],"majBand":{"high":[0.\#
    5022727272727266,0.5022727272727268,0.5833333333333324,0.5857142857142847,0.6658163265306116,0.673469387755101\#
    6,0.8214285714285691,0.8571428571428567],"kind":"pointwise","low":[0.15097402597402576,0.15097402597402593,0.1\#
    3751803751803734,0.11713048855905983,0.10459183673469383,0.10544217687074826,0.11734693877550996,0.14285714285\#
    714265]},"majK":[1,2,3,4,5,6,7,8],"majMethod":"exact","meanTokens":33.278688524590166,"passAtK":[0.27727272727\#
    27273,0.44059987631416203,0.5418521954236241,0.6124922696351268,0.6695269016697588,0.7207792207792209,0.769480\#
    5194805195,0.8181818181818182],"passBand":{"high":[0.44155844155844154,0.6841372912801484,0.8119202226345082,0\#
    .87847866419295,0.9144248608534323,0.9350649350649352,0.9642857142857143,1],"kind":"pointwise","low":[0.089285\#
    71428571429,0.17857142857142858,0.26785714285714285,0.35714285714285715,0.44642857142857145,0.5357142857142857\#
    ,0.5535714285714286,0.5714285714285714]},"passHatK":[0.2772727272727273,0.1139455782312925,0.05187074829931972\#
    ,0.02040816326530612,0.005952380952380952,0.0006802721088435375,0,0],"samples":8,"temperature":0.7},{"accuracy\#
    ":{"high":0.6749999999999999,"low":0.17916666666666667,"value":0.4010658914728682},"compute":{"generatedTokens\#
    ":7848,"promptTokens":0,"rollouts":243,"seconds":0,"unknownFlops":243,"unknownPromptTokens":243},"extraPerToke\#
    n":0,"gateRate":0,"layers":0,"majAtK":[0.4010658914728678,0.4010658914728639,0.45582698519864445,0.47680027739\#
    6227,0.489163948357868,0.49724755010713056,0.5026309910149939,0.5061642286608854,0.5084651762990259,0.50990055\#
    66891396,0.5112626856074421,0.5108848048252762,0.51050164954385,0.5106181673569538,0.5096583187558572,0.510187\#
    4999999946,0.5077833333333325,0.5080208333333317,0.5065486111111138,0.5054930555555537,0.5034541666666671,0.50\#
    45555555555539,0.5028805555555547,0.5024305555555512,0.5019305555555542,0.5016277777777745,0.5013680555555498,\#
    0.5004444444444437,0.5002694444444437,0.5001805555555568,0.5000972222222192,0.49999999999999417,0.500000000000\#
    0017,0.49999999999999395,0.4999999999999987,0.49999999999999845,0.4999999999999971,0.4999999999999929,0.499999\#
    99999999734,0.5],"majBand":{"high":[0.6760658914728651,0.6760658914728593,0.7601117355360213,0.786302593477488\#
    1,0.8009895644597985,0.8105419958664223,0.8192447663168455,0.8227961683578311,0.8255377038253003,0.82765583504\#
    71966,0.8298611111111062,0.8304583333333292,0.831138888888873,0.832333333333331,0.8324166666666581,0.833083333\#
    3333264,0.8331250000000029,0.8330833333333345,0.8332083333333428,0.8332083333333337,0.833333333333338,0.833291\#
    6666666678,0.8333333333333363,0.8333333333333286,0.8333333333333339,0.8333333333333289,0.833333333333325,0.833\#
    3333333333339,0.8333333333333339,0.8333333333333375,0.8333333333333304,0.8333333333333256,0.8333333333333369,0\#
    .8333333333333247,0.8333333333333318,0.8333333333333317,0.8333333333333303,0.8333333333333232,0.83333333333332\#
    92,0.8333333333333334],"kind":"pointwise","low":[0.13856589147286985,0.1385658914728691,0.15594506886936257,0.\#
    1652668309943604,0.16874337596361155,0.16993646226973277,0.17233468239051183,0.17431275129857712,0.17580305278\#
    454608,0.1768723539899453,0.17805743204552868,0.17759711555037147,0.17718140448855527,0.17728758945057507,0.17\#
    632528064684372,0.17685416666666667,0.17445,0.1746875,0.1732152777777778,0.1721597222222222,0.1701208333333333\#
    6,0.17122222222222225,0.1695472222222222,0.16909722222222223,0.1685972222222222,0.16829444444444444,0.16803472\#
    222222224,0.1671111111111111,0.1669361111111111,0.16684722222222223,0.1667638888888889,0.1666666666666649,0.16\#
    666666666666666,0.16666666666666452,0.16666666666666638,0.16666666666666657,0.16666666666666644,0.166666666666\#
    6626,0.16666666666666555,0.16666666666666666]},"majK":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,2\#
    2,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40],"majMethod":"monte_carlo","meanTokens":32.29629629629\#
    63,"passAtK":[0.4010658914728682,0.5159915665729619,0.565110052772754,0.5942407058148768,0.6154732994020841,0.\#
    6327528343358119,0.647575846830982,0.6606017590035475,0.6721821629489941,0.6825471681104675,0.6918731888397082\#
    ,0.7003080012274866,0.7079802156496916,0.7150031545489443,0.7214767896582416,0.7274890273928672,0.733116770609\#
    6476,0.7384268884266145,0.743477130977131,0.7483169983169984,0.7529885654885655,0.7575272641062115,0.761962620\#
    5152521,0.766318950529477,0.7706160107475898,0.7748696064485538,0.7790921560658403,0.7832932122405807,0.787479\#
    9394536236,0.7916575482364956,0.7958296859612649,0.7999987842093105,0.8041663627189943,0.8083332899122372,0.81\#
    25,0.8166666666666668,0.8208333333333333,0.8250000000000001,0.8291666666666666,0.8333333333333334],"passBand":\#
    {"high":[0.6437984496124031,0.7730087741715649,0.8110905508896374,0.8250627297900189,0.8317860190042774,0.8328\#
    167067681053,0.8555588804719104,0.8819060592552161,0.9040752402368083,0.92264911215978,0.9381214107458248,0.95\#
    09244071070504,0.9614407250312537,0.9700094766605297,0.9769303707697174,0.9824670823709223,0.9868503118431887,\#
    0.9902806652803914,0.9929313929313929,0.994950994950995,0.9964656964656964,0.9975817923186345,0.99838786154575\#
    62,0.9989568515884306,0.9993480322427691,0.9996088193456614,0.9997764681975209,0.999879636721742,0.99993981836\#
    0871,0.9999726447094868,0.9999890578837948,0.9999963526279316,0.9999990881569829,0.9999998697367118,1,1,1,1,1,\#
    1],"kind":"pointwise","low":[0.04583333333333336,0.0884615384615385,0.12822199730094472,0.16542473647736802,0.\#
    20035394706447338,0.21666666666666665,0.225,0.2333333333333334,0.2471965386439071,0.2658843053579896,0.2835407\#
    77619725,0.3003082029397819,0.31631358802411436,0.3233364878822777,0.32564345632490826,0.32748902739286717,0.3\#
    2895010394298096,0.33009355509328114,0.330977130977131,0.3333333333333334,0.3416666666666668,0.350000000000000\#
    1,0.3583333333333334,0.36666666666666675,0.37500000000000006,0.38333333333333336,0.3916666666666668,0.40000000\#
    00000001,0.4083333333333334,0.4166666666666667,0.42500000000000004,0.4333333333333334,0.4416666666666667,0.45,\#
    0.4583333333333333,0.46666666666666673,0.47500000000000003,0.4833333333333334,0.4916666666666667,0.5]},"passHa\#
    tK":[0.4010658914728682,0.2861402163727745,0.22033302747247277,0.17451367172984036,0.14078408968996184,0.11519\#
    928055140165,0.09531077972764586,0.07950723673114969,0.06670658515287052,0.05616969529414229,0.047381814359486\#
    02,0.039976737379922515,0.03368812458244247,0.02831797568576476,0.02371592580902079,0.019765393160271243,0.016\#
    374113624868118,0.013467538305631237,0.010984148664621135,0.008872094703503143,0.007086772397246882,0.00558908\#
    3309138709,0.0043441966712916575,0.0033206831171597177,0.0024899218856068114,0.0018257065364575597,0.001303991\#
    7476649723,0.0009027375638281458,0.0006018185541055807,0.0003829742638041847,0.00022978444031075598,0.00012765\#
    802239486442,6.382901119743221e-05,2.7355290513185233e-05,9.118430171061744e-06,1.8236860342123488e-06,0,0,0,0\#
    ],"samples":40,"temperature":1},{"accuracy":{"high":0.8333333333333334,"low":0,"value":0.5},"compute":{"genera\#
    tedTokens":261,"promptTokens":0,"rollouts":6,"seconds":0,"unknownFlops":6,"unknownPromptTokens":6},"extraPerTo\#
    ken":1.4597701149425288,"gateRate":0.5632183908045977,"layers":2,"majAtK":[0.5],"majBand":{"high":[0.833333333\#
    3333334],"kind":"pointwise","low":[0.16666666666666666]},"majK":[1],"majMethod":"exact","meanTokens":43.5,"pas\#
    sAtK":[0.5],"passBand":{"high":[0.8333333333333334],"kind":"pointwise","low":[0.16666666666666666]},"passHatK"\#
    :[0.5],"samples":1,"temperature":0,"vsPlain":{"high":0,"low":0,"value":0}},{"accuracy":{"high":0.8666666666666\#
    667,"low":0.356060606060606,"value":0.5477272727272727},"compute":{"generatedTokens":1887,"promptTokens":0,"ro\#
    llouts":53,"seconds":0,"unknownFlops":53,"unknownPromptTokens":53},"extraPerToken":1.4626391096979332,"gateRat\#
    e":0.5479597244303127,"layers":2,"majAtK":[0.5477272727272724,0.5477272727272725,0.6141293891293883,0.65919913\#
    41991333,0.6910894660894654,0.72041847041847,0.7499999999999986,0.7499999999999997],"majBand":{"high":[0.82272\#
    72727272724,0.8227272727272726,0.9018278018278005,0.938961038961038,0.9601370851370842,0.9783549783549779,0.99\#
    99999999999986,0.9999999999999997],"kind":"pointwise","low":[0.3333333333333327,0.33333333333333326,0.40079365\#
    079365026,0.45714285714285685,0.47023809523809496,0.48214285714285704,0.4999999999999984,0.4999999999999995]},\#
    "majK":[1,2,3,4,5,6,7,8],"majMethod":"exact","meanTokens":35.60377358490566,"passAtK":[0.5477272727272727,0.69\#
    01515151515151,0.7578643578643578,0.7947330447330447,0.8154761904761904,0.8273809523809524,0.8333333333333334,\#
    0.8333333333333334],"passBand":{"high":[0.7787878787878788,0.9097402597402597,0.9759740259740259,0.99610389610\#
    38962,1,1,1,1],"kind":"pointwise","low":[0.20833333333333334,0.28571428571428575,0.36904761904761907,0.4261904\#
    7619047623,0.46428571428571425,0.48809523809523814,0.5,0.5]},"passHatK":[0.5477272727272727,0.4053030303030303\#
    ,0.3305916305916306,0.2867243867243867,0.25757575757575757,0.23585858585858585,0.21717171717171715,0.199999999\#
    99999998],"samples":8,"temperature":0.7,"vsPlain":{"high":0.4227272727272727,"low":0.08333333333333333,"value"\#
    :0.24507575757575759}},{"accuracy":{"high":0.6666666666666666,"low":0.2222222222222222,"value":0.4259259259259\#
    259},"compute":{"generatedTokens":1301,"promptTokens":0,"rollouts":39,"seconds":0,"unknownFlops":39,"unknownPr\#
    omptTokens":39},"extraPerToken":1.345119139123751,"gateRate":0.49039200614911604,"layers":3,"majAtK":[0.425925\#
    92592592576,0.42592592592592565,0.4824074074074071,0.5244708994708992,0.6023809523809519,0.6567460317460315],"\#
    majBand":{"high":[0.648148148148148,0.6481481481481478,0.7138888888888881,0.7711640211640206,0.911111111111110\#
    9,1],"kind":"pointwise","low":[0.14814814814814803,0.1481481481481479,0.18240740740740713,0.22222222222222224,\#
    0.2690476190476186,0.32341269841269815]},"majK":[1,2,3,4,5,6],"majMethod":"exact","meanTokens":33.358974358974\#
    36,"passAtK":[0.4259259259259259,0.5611111111111112,0.6253968253968254,0.6542328042328043,0.6666666666666666,0\#
    .6666666666666666],"passBand":{"high":[0.7222222222222223,0.9,0.9761904761904763,0.996031746031746,1,1],"kind"\#
    :"pointwise","low":[0.20370370370370372,0.26666666666666666,0.3,0.32222222222222224,0.3333333333333333,0.33333\#
    33333333333]},"passHatK":[0.4259259259259259,0.2907407407407407,0.21984126984126984,0.1843915343915344,0.16798\#
    9417989418,0.16666666666666666],"samples":6,"temperature":1,"vsPlain":{"high":0.10416666666666667,"low":-0.044\#
    58440999138675,"value":0.024860034453057702}}],"compute":{"generatedTokens":13575,"promptTokens":0,"rollouts":\#
    409,"seconds":0,"unknownFlops":409,"unknownPromptTokens":409},"diversity":{"byTemperature":{"0.7":5.6568542494\#
    92381,"1.0":7.22084741318747},"cell":{"layers":0,"temperature":1},"clustering":"prefix","earlyTokenEntropy":1.\#
    5677353934426232,"effectiveApproaches":[2.802406970901281,6.65467721254944,7.7870176138255,9.784299533327795,4\#
    .1202664836207505,11.742776800457731],"entropyForm":{"across":0.3511452793565879,"total":0.3511452793565879,"w\#
    ithin":0},"evidence":"median K_eff 7.22 < 100.0: samples mostly repeat one approach, so extra independent roll\#
    outs add little; majority vote at N=40 gives 50.0%.","laterTokenEntropy":1.1763506563926327,"meanEntropy":1.85\#
    63652886749107,"medianEffectiveApproaches":7.22084741318747,"prefixTokens":8,"recommendation":"depth at N = 16\#
    ","regime":"low","threshold":100,"varianceForm":{"across":0.11212496619794483,"total":0.11212496619794483,"wit\#
    hin":0}},"options":{"blockCount":0,"bordaP":0.5,"clustering":"prefix","epsN":0,"folds":5,"keffThreshold":100,"\#
    level":0.95,"prefixTokens":8,"resamples":60,"ridgeLambda":1,"seed":3,"typeTolerance":1e-09},"perProblemAccurac\#
    y":{"L=0 T=0.0":{"alg-01":1,"alg-02":1,"geo-01":0,"geo-02":0,"num-01":1,"num-02":0,"prob-01":1},"L=0 T=0.7":{"\#
    alg-01":0.625,"alg-02":0.09090909090909091,"geo-01":0,"geo-02":0.125,"num-01":0.6,"num-02":0.125,"prob-01":0.3\#
    75},"L=0 T=1.0":{"alg-01":0.9,"alg-02":0.5813953488372093,"geo-01":0,"geo-02":0.15,"num-01":0.75,"num-02":0.02\#
    5},"L=2 T=0.0":{"alg-01":1,"alg-02":1,"geo-01":0,"geo-02":0,"num-01":1,"num-02":0},"L=2 T=0.7":{"alg-01":1,"al\#
    g-02":0.6363636363636364,"geo-01":0,"num-01":0.9,"num-02":0.25,"prob-01":0.5},"L=3 T=1.0":{"alg-01":1,"alg-02"\#
    :0.5555555555555556,"geo-01":0,"geo-02":0.3333333333333333,"num-01":0.6666666666666666,"num-02":0}},"pools":{"\#
    jointMinusLOnlyPP":28.57142857142857,"jointMinusTOnlyPP":0,"overlap":{"both":4,"jaccard":0.6666666666666666,"l\#
    OnlyExclusive":0,"neither":1,"tOnlyExclusive":2},"pools":[{"curve":[0.385951436851797,0.53244093308319,0.60478\#
    57133541973,0.6465707049463004,0.6732033315943629,0.6919781851616251,0.7068468791146602,0.7197775996244047,0.7\#
    312301852535177],"name":"t_only","oracle":{"high":1,"low":0.5714285714285714,"value":0.8571428571428571},"roll\#
    outsPerProblem":9,"solved":["alg-01","alg-02","geo-02","num-01","num-02","prob-01"]},{"curve":[0.5714285714285\#
    714],"name":"l_only","oracle":{"high":1,"low":0.14285714285714285,"value":0.5714285714285714},"rolloutsPerProb\#
    lem":1,"solved":["alg-01","alg-02","num-01","prob-01"]},{"curve":[0.4086776157831555,0.5520284406342698,0.6220\#
    29716511772,0.6635813338477631,0.6915360238193144,0.7122479411163943,0.728776429975853,0.7426546564183543,0.75\#
    46651759605263,0.7652246830302512,0.7745794241159574,0.7828995917687076,0.7903198314004627,0.7969536933260561,\#
    0.8028983482507316,0.8082375050834189,0.8130434594287294],"name":"joint","oracle":{"high":1,"low":0.7142857142\#
    857143,"value":0.8571428571428571},"rolloutsPerProblem":17,"solved":["alg-01","alg-02","geo-02","num-01","num-\#
    02","prob-01"]}]},"problems":7,"rollouts":409,"selection":{"bestOfNLogprob":{"high":1,"low":0.1666666666666666\#
    6,"value":0.6666666666666666},"bestOfNSelfCertainty":{"high":1,"low":0.16666666666666666,"value":0.66666666666\#
    66666},"bordaSelfCertainty":{"high":1,"low":0,"value":0.5},"cell":{"layers":0,"temperature":1},"majority":{"hi\#
    gh":0.8333333333333334,"low":0.16666666666666666,"value":0.5},"meanAccuracy":{"high":0.6760658914728683,"low":\#
    0.17916666666666667,"value":0.4010658914728682},"oracle":{"high":1,"low":0.5,"value":0.8333333333333334}},"tra\#
    iningSignal":[{"groupSize":9,"meanVariance":0.13021288553901597,"mixedFraction":0.6942780819886133,"pool":"t_o\#
    nly"},{"groupSize":9,"meanVariance":0.12742295542321286,"mixedFraction":0.6989056797926002,"pool":"joint"}]}
    """#
