import CTurboJPEG
import CWebP
import CZlib

// Every call into zlib, libturbojpeg and libwebp made by this module lives in this file; the rest of
// the module sees byte arrays and typed errors only.

/// zlib's CRC-32 and one-shot compression.
enum Zlib {
    static func crc32(_ bytes: [UInt8], startingWith crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(uLong(crc), buffer.baseAddress, uInt(buffer.count)))
        }
    }

    static func crc32(_ bytes: ArraySlice<UInt8>, startingWith crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(uLong(crc), buffer.baseAddress, uInt(buffer.count)))
        }
    }

    /// `bytes` as one zlib stream, at `level` (1 fastest … 9 smallest).
    static func compress(_ bytes: [UInt8], level: Int32) throws(ImageEncodingError) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { destination in
            bytes.withUnsafeBufferPointer { source in
                compress2(destination.baseAddress, &capacity, source.baseAddress, uLong(source.count), level)
            }
        }
        guard status == Z_OK else { throw .encoderFailed(.png, reason: "zlib compress2 returned \(status)") }
        output.removeSubrange(Int(capacity)...)
        return output
    }
}

/// A streaming zlib decompressor that hands out its output in bounded blocks.
///
/// Used to check PNG image data without ever holding the whole decompressed image.
final class ZlibInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var block: [UInt8]
    private(set) var finished = false

    init(blockSize: Int = 64 * 1024) throws(ImageInspectionError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        block = [UInt8](repeating: 0, count: blockSize)
        guard facedrop_inflateInit(stream) == Z_OK else {
            stream.deallocate()
            throw .undecodable(.png, reason: "zlib could not start inflating")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Feeds `input` and calls `output` with each block of decompressed bytes.
    ///
    /// Stops early (ignoring the rest of `input`) once the stream ends; see ``finished``.
    func inflate(
        _ input: ArraySlice<UInt8>,
        output: (ArraySlice<UInt8>) throws(ImageInspectionError) -> Void
    ) throws(ImageInspectionError) {
        var consumed = 0
        while !finished {
            let remaining = input.dropFirst(consumed)
            let (status, used, produced) = step(remaining)
            guard used > 0 || produced > 0 || status == Z_STREAM_END || remaining.isEmpty else {
                throw .undecodable(.png, reason: "zlib made no progress")
            }
            consumed += used
            if produced > 0 { try output(block[0..<produced]) }
            switch status {
            case Z_STREAM_END:
                finished = true
            case Z_OK, Z_BUF_ERROR:
                // Z_BUF_ERROR only means "no progress possible": all input used and the block not full.
                if consumed == input.count && produced < block.count { return }
            default:
                throw .undecodable(.png, reason: "corrupt image data (zlib status \(status))")
            }
        }
    }

    private func step(_ input: ArraySlice<UInt8>) -> (status: Int32, used: Int, produced: Int) {
        let capacity = block.count
        return input.withUnsafeBufferPointer { source in
            block.withUnsafeMutableBufferPointer { destination in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.pointee.avail_in = uInt(source.count)
                stream.pointee.next_out = destination.baseAddress
                stream.pointee.avail_out = uInt(capacity)
                let status = CZlib.inflate(stream, Z_NO_FLUSH)
                let used = source.count - Int(stream.pointee.avail_in)
                let produced = capacity - Int(stream.pointee.avail_out)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
                return (status, used, produced)
            }
        }
    }
}

/// libturbojpeg compression and full decompression.
enum TurboJPEG {
    /// Encodes tightly packed RGB pixels with 4:2:0 chroma subsampling.
    static func compress(rgb: [UInt8], width: Int, height: Int, quality: Int) throws(ImageEncodingError) -> [UInt8] {
        guard let handle = tjInitCompress() else { throw .encoderFailed(.jpeg, reason: "tjInitCompress failed") }
        defer { tjDestroy(handle) }
        var jpeg: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = rgb.withUnsafeBufferPointer { pixels in
            tjCompress2(
                handle,
                pixels.baseAddress,
                Int32(width),
                0,
                Int32(height),
                Int32(TJPF_RGB.rawValue),
                &jpeg,
                &size,
                Int32(TJSAMP_420.rawValue),
                Int32(quality),
                0
            )
        }
        defer { tjFree(jpeg) }
        guard status == 0, let jpeg else { throw .encoderFailed(.jpeg, reason: errorMessage(handle)) }
        return Array(UnsafeBufferPointer(start: jpeg, count: Int(size)))
    }

    /// Decodes every scan and returns the size libturbojpeg read; warnings (such as a truncated file)
    /// count as failures.
    static func decode(_ bytes: [UInt8]) throws(ImageInspectionError) -> (width: Int, height: Int) {
        guard let handle = tjInitDecompress() else { throw .undecodable(.jpeg, reason: "tjInitDecompress failed") }
        defer { tjDestroy(handle) }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let headerStatus = bytes.withUnsafeBufferPointer { jpeg in
            tjDecompressHeader3(handle, jpeg.baseAddress, UInt(jpeg.count), &width, &height, &subsampling, &colorspace)
        }
        guard headerStatus == 0 else { throw .undecodable(.jpeg, reason: errorMessage(handle)) }

        // Decoding to one grey channel still entropy-decodes every component; CMYK cannot be converted.
        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let pixelFormat = isCMYK ? TJPF_CMYK : TJPF_GRAY
        let channels = isCMYK ? 4 : 1
        // A scratch buffer the decoder writes and nobody reads: left unzeroed, which saves clearing it per image.
        let pixels = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Int(width) * Int(height) * channels)
        defer { pixels.deallocate() }
        let status = bytes.withUnsafeBufferPointer { jpeg in
            tjDecompress2(
                handle,
                jpeg.baseAddress,
                UInt(jpeg.count),
                pixels.baseAddress,
                width,
                0,
                height,
                Int32(pixelFormat.rawValue),
                TJFLAG_LIMITSCANS
            )
        }
        guard status == 0 else { throw .undecodable(.jpeg, reason: errorMessage(handle)) }
        return (Int(width), Int(height))
    }

    private static func errorMessage(_ handle: tjhandle) -> String {
        String(cString: tjGetErrorStr2(handle))
    }
}

/// libwebp encoding and full decoding.
enum WebP {
    /// Encodes tightly packed RGB pixels as a simple-format WebP, lossy at `quality` or lossless.
    ///
    /// Uses the advanced API rather than `WebPEncodeRGB` to pick the fastest method (0): the default
    /// (4) takes over 100 ms for a 1024×1024 picture, lossless over half a second, which an emulator
    /// under load cannot afford. Synthetic pictures lose nothing visible by it.
    static func encode(
        rgb: [UInt8],
        width: Int,
        height: Int,
        quality: Int,
        lossless: Bool
    ) throws(ImageEncodingError) -> [UInt8] {
        var config = WebPConfig()
        guard WebPConfigInit(&config) != 0 else { throw .encoderFailed(.webp, reason: "libwebp version mismatch") }
        config.lossless = lossless ? 1 : 0
        config.quality = lossless ? 0 : Float(quality)  // for lossless, quality is the effort
        config.method = 0
        guard WebPValidateConfig(&config) != 0 else { throw .encoderFailed(.webp, reason: "invalid encoder settings") }

        var picture = WebPPicture()
        guard WebPPictureInit(&picture) != 0 else { throw .encoderFailed(.webp, reason: "libwebp version mismatch") }
        defer { WebPPictureFree(&picture) }
        picture.width = Int32(width)
        picture.height = Int32(height)
        picture.use_argb = lossless ? 1 : 0
        let imported = rgb.withUnsafeBufferPointer { WebPPictureImportRGB(&picture, $0.baseAddress, Int32(width * 3)) }
        guard imported != 0 else { throw .encoderFailed(.webp, reason: "cannot import the pixels (out of memory?)") }

        var writer = WebPMemoryWriter()
        WebPMemoryWriterInit(&writer)
        defer { WebPMemoryWriterClear(&writer) }
        let encoded = withUnsafeMutablePointer(to: &writer) { writerPointer in
            picture.writer = WebPMemoryWrite
            picture.custom_ptr = UnsafeMutableRawPointer(writerPointer)
            defer { picture.custom_ptr = nil }
            return WebPEncode(&config, &picture)
        }
        guard encoded != 0, let memory = writer.mem, writer.size > 0 else {
            throw .encoderFailed(.webp, reason: "libwebp error code \(picture.error_code.rawValue)")
        }
        return Array(UnsafeBufferPointer(start: memory, count: writer.size))
    }

    /// Decodes the whole image into a scratch buffer and returns its size.
    static func decode(_ bytes: [UInt8]) throws(ImageInspectionError) -> (width: Int, height: Int) {
        var width: Int32 = 0
        var height: Int32 = 0
        let known = bytes.withUnsafeBufferPointer { WebPGetInfo($0.baseAddress, $0.count, &width, &height) }
        guard known != 0 else { throw .undecodable(.webp, reason: "libwebp does not recognise the bitstream") }
        let stride = Int(width) * 3
        // Unzeroed, as for a JPEG: the decoder only writes it.
        let pixels = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: stride * Int(height))
        defer { pixels.deallocate() }
        let decoded = bytes.withUnsafeBufferPointer { webp in
            WebPDecodeRGBInto(webp.baseAddress, webp.count, pixels.baseAddress, pixels.count, Int32(stride)) != nil
        }
        guard decoded else { throw .undecodable(.webp, reason: "libwebp could not decode the image data") }
        return (Int(width), Int(height))
    }
}
