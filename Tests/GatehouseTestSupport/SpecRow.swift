public import Testing

/// Names the SPEC.md row a whole test proves; `SpecRows` (GatehouseCoreTests) lists the ids, and
/// its coverage test reads the names from the sources. GatehouseCoreTests keeps a copy of this
/// trait, as it does not link this target.
public struct SpecRow: TestTrait, SuiteTrait {
    public let id: String
}

extension Trait where Self == SpecRow {
    public static func spec(_ id: String) -> Self { SpecRow(id: id) }
}
