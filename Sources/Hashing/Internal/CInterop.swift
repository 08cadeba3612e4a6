import CCrypto

// Every call into libcrypto made by this module lives in this file.

/// Owns one libcrypto `EVP_MD_CTX` initialised for SHA-256.
///
/// A class so that `deinit` frees the context; ``SHA256`` wraps it in a non-copyable value so it is
/// never shared.
final class EVPDigestContext {
    private let context: OpaquePointer

    init() {
        // Both calls fail only when memory is exhausted; there is no sensible recovery.
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            fatalError("EVP_DigestInit_ex(SHA-256) failed")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    private func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        guard EVP_DigestUpdate(context, base, buffer.count) == 1 else { fatalError("EVP_DigestUpdate failed") }
    }

    func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        guard status == 1, Int(length) == SHA256Digest.byteCount else { fatalError("EVP_DigestFinal_ex failed") }
        return Array(digest[0..<Int(length)])
    }
}

/// libcrypto's one-shot `HMAC()`.
enum LibcryptoHMAC {
    static func sha256(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // An empty array may have no storage; HMAC takes a null key or message of length 0.
        let done = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                code.withUnsafeMutableBufferPointer { output in
                    HMAC(
                        EVP_sha256(),
                        keyBytes.baseAddress,
                        Int32(keyBytes.count),
                        messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                        messageBytes.count,
                        output.baseAddress,
                        &length
                    ) != nil
                }
            }
        }
        guard done, Int(length) == SHA256Digest.byteCount else { fatalError("HMAC(SHA-256) failed") }
        return Array(code[0..<Int(length)])
    }
}
