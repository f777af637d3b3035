import ArgumentParser
import Foundation
import Inference
import Sampling
import Tasks

/// A quick accuracy probe without the store: generate n samples per problem, grade them,
/// and print accuracy per tier (the runner, with caching and resume, is `rollbook run`, to come).
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sample and grade a task quickly; print accuracy per tier.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Task spec, e.g. builtin:arithmetic?count=25&seed=1 or gsm8k:PATH.")
    var task = "builtin:arithmetic?count=25&seed=1"
    @Option(name: .long, help: "Prompt template in templates/prompts.") var template = "cot-boxed"
    @Option(name: .long, help: "Samples per problem.") var n = 8
    @Option(name: .long, help: "Sampling temperature.") var temperature: Float = 0.7
    @Option(name: .long, help: "Maximum new tokens.") var maxTokens = 256
    @Option(name: .long, help: "Run seed.") var seed: UInt64 = 0
    @Option(name: .long, help: "Stop string (repeatable).") var stop: [String] = []
    @Flag(name: .long, help: "Use the raw template text as the prompt (no chat wrapping).") var raw = false
    @Option(name: .long, help: "Sequences decoded together.") var batch = 64
    @Flag(name: .long, help: "Emit JSON.") var json = false

    func run() throws {
        let model = try Model(path: try ModelCatalog.resolve(modelOptions.model))
        let problems = try TaskSpec.load(task)
        let tpl = try PromptTemplate.load(name: template, directory: Resources.promptDirectory)
        guard let chat = model.chatTemplate else {
            throw InputError("\(model.path): the model has no ChatML chat template")
        }
        let prompts = problems.map {
            model.tokenizer.encode(raw ? tpl.render($0) : chat.render(user: tpl.render($0)), parseSpecial: !raw)
        }
        let engine = RolloutEngine(model: model, maxBatch: batch,
                                   maxContext: (prompts.map(\.count).max() ?? 0) + maxTokens + 1)
        var specs = [RolloutSpec]()
        for (i, p) in problems.enumerated() {
            for s in 0..<n {
                specs.append(RolloutSpec(prompt: i, sampler: SamplerConfig(temperature: temperature),
                                         seed: RolloutSeed.derive(run: seed, problem: p.id, temperature: temperature,
                                                                  layers: 0, sample: s),
                                         maxTokens: maxTokens, stopStrings: stop, tag: i * n + s))
            }
        }
        let grader = Grader()
        var correct = [Int](repeating: 0, count: problems.count)
        let t0 = Date()
        try engine.run(prompts: prompts, specs: specs) { r in
            let pi = r.tag / n
            if grader.grade(response: r.text, gold: problems[pi].gold).correct { correct[pi] += 1 }
        }
        let secs = Date().timeIntervalSince(t0)
        var tiers = [Int: (solvedAlways: Int, never: Int, sometimes: Int, acc: Double, count: Int)]()
        for (i, p) in problems.enumerated() {
            let t = p.tier ?? 0
            var e = tiers[t] ?? (0, 0, 0, 0, 0)
            if correct[i] == n {
                e.solvedAlways += 1
            } else if correct[i] == 0 {
                e.never += 1
            } else {
                e.sometimes += 1
            }
            e.acc += Double(correct[i]) / Double(n); e.count += 1
            tiers[t] = e
        }
        if json {
            struct Row: Encodable {
                var tier: Int; var problems: Int; var accuracy: Double; var always: Int; var never: Int
                var sometimes: Int
            }
            struct Out: Encodable {
                var task: String; var n: Int; var temperature: Float; var seconds: Double; var tokens: Int
                var tiers: [Row]
            }
            try writeJSON(Out(task: task, n: n, temperature: temperature, seconds: secs, tokens: engine.stats.tokens,
                              tiers: tiers.keys.sorted().map { k in
                                  let e = tiers[k]!
                                  return Row(tier: k, problems: e.count, accuracy: e.acc / Double(e.count),
                                             always: e.solvedAlways, never: e.never, sometimes: e.sometimes)
                              }))
            return
        }
        print("tier  problems  accuracy  always  never  sometimes")
        for k in tiers.keys.sorted() {
            let e = tiers[k]!
            print(String(format: "%4d  %8d  %7.1f%%  %6d  %5d  %9d", k, e.count, 100 * e.acc / Double(e.count),
                         e.solvedAlways, e.never, e.sometimes))
        }
        print(String(format: "%d rollouts, %d tokens in %.1fs (%.1f tokens/s)", specs.count, engine.stats.tokens, secs,
                     Double(engine.stats.tokens) / secs))
    }
}
