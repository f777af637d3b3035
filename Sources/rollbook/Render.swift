import ArgumentParser
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Render a notebook.")
    @Argument var notebook: String
    func run() throws {}
}
