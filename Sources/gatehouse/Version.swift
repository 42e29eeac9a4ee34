/// The version `gatehouse --version` prints; the one place it is written.
enum GatehouseVersion {
    static let current = "0.9.0"
}
