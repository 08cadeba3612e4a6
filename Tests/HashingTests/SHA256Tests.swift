import Foundation
import Hashing
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    /// The examples from NIST FIPS 180-2 / the NIST CSRC example values.
    @Test(
        "NIST test vectors",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ]
    )
    func nistVectors(message: String, expected: String) {
        #expect(SHA256.hash(Array(message.utf8)).hex == expected)
    }

    @Test("One million times \"a\"")
    func millionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(message).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("Chunked updates give the one-shot digest", arguments: [1, 3, 63, 64, 65, 1000])
    func chunkedUpdates(chunkSize: Int) {
        let message = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = SHA256()
        var start = 0
        while start < message.count {
            let end = min(start + chunkSize, message.count)
            hasher.update(message[start..<end])
            start = end
        }
        #expect(hasher.finalize() == SHA256.hash(message))
    }

    @Test("Non-contiguous collections hash like arrays")
    func nonContiguousCollection() {
        let message = Array("abc".utf8)
        #expect(SHA256.hash(message.reversed().reversed()) == SHA256.hash(message))
        #expect(SHA256.hash(Data(message)) == SHA256.hash(message))
    }

    @Test("Digests render as lowercase hex and parse back")
    func hexRoundTrip() throws {
        let digest = SHA256.hash(Array("abc".utf8))
        #expect(digest.bytes.count == 32)
        #expect(digest.description == digest.hex)
        #expect(try #require(SHA256Digest(hex: digest.hex.uppercased())) == digest)
        #expect(SHA256Digest(hex: "abc") == nil)
        #expect(SHA256Digest(hex: String(repeating: "g", count: 64)) == nil)
    }
}
