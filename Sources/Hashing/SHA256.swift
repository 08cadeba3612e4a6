/// An incremental SHA-256 computation over libcrypto's EVP interface.
///
/// The value is non-copyable because it owns a libcrypto context: a copy would share (and then
/// corrupt) the running state. Feed it with ``update(_:)`` as bytes arrive, then ``finalize()``
/// consumes it.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(header)
/// hasher.update(body)
/// let digest = hasher.finalize()
/// ```
package struct SHA256: ~Copyable {
    private let context: EVPDigestContext

    /// Starts a new, empty computation.
    package init() {
        context = EVPDigestContext()
    }

    /// Adds `bytes` to the message.
    package mutating func update(_ bytes: some Collection<UInt8>) {
        context.update(bytes)
    }

    /// Finishes the computation and returns the digest.
    package consuming func finalize() -> SHA256Digest {
        SHA256Digest(bytes: context.finalize())
    }
}
