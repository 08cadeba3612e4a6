/// The `[memory]` table.
extension ConfigurationReader {
    static func readMemory(_ table: [String: TOMLNode], into problems: inout [String]) -> MemoryConfiguration {
        let reader = TableReader(label: "[memory]", table: table, knownKeys: ["release_when_idle_after"])
        reader.reportUnknownKeys(into: &problems)
        var memory = MemoryConfiguration()
        if let after = reader.duration("release_when_idle_after", atLeast: 0, into: &problems) {
            memory.releaseWhenIdleAfter = after == .zero ? nil : after
        }
        return memory
    }
}
