/// HMAC-SHA256 (RFC 2104), as webhook receivers check a body's signature: GitHub's
/// `X-Hub-Signature-256: sha256=<hex>` and facedrop's `X-Facedrop-Signature` are this code in hex.
package enum HMACSHA256 {
    /// The authentication code of `message` under `key`: 32 bytes, wrapped as a digest for its ``SHA256Digest/hex``.
    package static func authenticationCode(for message: [UInt8], key: [UInt8]) -> SHA256Digest {
        SHA256Digest(bytes: LibcryptoHMAC.sha256(message, key: key))
    }
}
