import Foundation
import Outbox
import Testing

@Suite("FileNames.unique: random names in UUID form")
struct FileNamesUniqueTests {
    @Test("each name is an upper-case version-4 UUID, as Foundation writes one, and no two of 10,000 are equal")
    func uuidForm() {
        let names = (0..<10_000).map { _ in FileNames.unique() }
        #expect(Set(names).count == names.count)
        for name in names.prefix(200) {
            let parsed = UUID(uuidString: name)
            #expect(parsed?.uuidString == name, "\(name)")
            let characters = Array(name)
            #expect(characters.count == 36)
            #expect(characters[14] == "4", "version nibble of \(name)")
            #expect("89AB".contains(characters[19]), "variant of \(name)")
        }
        // Every other hex digit varies: the random bits are not stuck at zero.
        let positions = Set(names.flatMap { name in name.enumerated().filter { $0.element != "0" && $0.element != "-" }.map(\.offset) })
        #expect(positions.count == 32)
    }
}
