import ArgumentParser

/// The options every command takes (SPEC §2).
struct GlobalOptions: ParsableArguments {
    @Option(help: "Database URL: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB (env GATEHOUSE_DATABASE).")
    var database: String?

    @Option(help: "Configuration file, YAML or JSON (env GATEHOUSE_CONFIG).")
    var config: String?
}
