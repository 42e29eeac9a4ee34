import ArgumentParser
import GatehouseStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        _ = loggingBootstrap
        let settings = try await Settings.load(options: options)
        let logger = settings.makeLogger()
        let database: Database
        do {
            database = try await Database.open(settings.database, logger: logger)
        } catch {
            throw CLIError("cannot open database \(settings.database)", error)
        }
        do {
            let migrator = Migrator(database: database)
            let applied = try await migrator.migrate()
            await database.close()
            print(
                applied.isEmpty
                    ? "schema is current (version \(migrator.latestVersion))"
                    : "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema is at version \(migrator.latestVersion)")
        } catch {
            await database.close()
            throw CLIError("migration failed", error)
        }
    }
}
