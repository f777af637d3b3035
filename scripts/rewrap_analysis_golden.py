#!/usr/bin/env python3
# Rewraps the analysis goldens into Tests/AnalysisTests/RunReportGolden.swift after
#   ROLLBOOK_RECORD_ANALYSIS=1 swift test -c release --skip-build --filter RunReportGoldenTests
# (which writes /tmp/run_report_*golden.json and /tmp/run_report_fields.txt), asserting that
# every value is unchanged once the keys in ADDED (fields added since) are stripped.
import json, re, sys
p='Tests/AnalysisTests/RunReportGolden.swift'
s=open(p).read()
ADDED={'passBand','majBand','datasetBand','problemBands'}
def strip(v):
    if isinstance(v,dict): return {k:strip(x) for k,x in v.items() if k not in ADDED}
    if isinstance(v,list): return [strip(x) for x in v]
    return v
def block(name):
    m=re.search(r'let %s = #"""\n(.*?)\n    """#' % name, s, re.S)
    return m
def unwrap(body):
    lines=body.split('\n')
    out=''
    for l in lines:
        l=l[4:]
        if l.endswith('\\#'): out+=l[:-2]
        else: out+=l
    return out
def wrap(text):
    chunks=[text[i:i+110] for i in range(0,len(text),110)]
    return '\n'.join('    '+c+('\\#' if i<len(chunks)-1 else '') for i,c in enumerate(chunks))
for name,f in [('runReportGolden','/tmp/run_report_golden.json'),('plainRunReportGolden','/tmp/run_report_plain_golden.json')]:
    m=block(name)
    old=json.loads(unwrap(m.group(1)))
    newtext=open(f).read().strip()
    new=json.loads(newtext)
    assert strip(new)==strip(old), name+": values changed"
    s=s[:m.start(1)]+wrap(newtext)+s[m.end(1):]
m=re.search(r'let runReportFieldOrderGolden = """\n(.*?)\n    """', s, re.S)
fields=open('/tmp/run_report_fields.txt').read()
s=s[:m.start(1)]+'\n'.join('    '+l for l in fields.split('\n'))+s[m.end(1):]
open(p,'w').write(s)
print("ok")
