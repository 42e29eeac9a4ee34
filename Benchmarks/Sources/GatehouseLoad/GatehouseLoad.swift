import ArgumentParser

/// The HTTP load driver of `scripts/bench`: `run` measures, `report` writes `docs/benchmarks.md`,
/// `seed` only seeds (for profiling one server).
@main
struct GatehouseLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse-load",
        abstract: "Seeds Gatehouse through its store, starts `gatehouse serve`, and drives the scenarios of a scenario file.",
        subcommands: [RunCommand.self, ReportCommand.self, SeedCommand.self]
    )
}
