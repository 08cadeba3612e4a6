import Hashing
import ImageFormats
import StrictJSON

extension JobDelivery {
    /// Where a delivered picture's generation parameters go (`[[inbox]] embed_metadata`).
    package enum PictureMetadata: String, Sendable {
        /// Into the picture (PNG text chunks and XMP, JPEG and WebP XMP): the bytes differ from Segmind's.
        case embedded
        /// Into `<picture>.xmp` beside it: the picture stays byte for byte as Segmind sent it.
        case sidecar
    }

    /// One output as it goes into the job folder: its bytes, the `.xmp` sidecar if any, and its entry in
    /// `result.json`, which records the hash of the file delivered (`sha256`) and of Segmind's bytes
    /// (`segmind_sha256`), and where the parameters went (`metadata`, and `xmp` for the sidecar's name).
    struct TaggedOutput {
        var bytes: [UInt8]
        var sidecar: [UInt8]?
        var entry: JSONValue
    }

    /// Tags `bytes` (Segmind's, of output `file`) with the parameters `sent` to `model` for `requestID`. A picture that cannot
    /// take them (a JPEG whose prompt outgrows its 64 KB segment) is delivered untouched with a sidecar, and the
    /// reason is kept in its entry.
    static func tagged(
        _ bytes: [UInt8],
        file: String,
        entry: JSONValue,
        sent: [String: JSONValue],
        model: String,
        requestID: String,
        metadata: PictureMetadata
    ) -> TaggedOutput {
        var fields = entry.objectValue ?? [:]
        // The download recorded the picture's hash and size (and the spool check just matched the hash): not
        // computed again.
        let size = (fields["width"]?.intValue, fields["height"]?.intValue)
        let parameters = generationParameters(sent: sent, model: model, requestID: requestID, picture: bytes, size: size)
        let original = fields["sha256"]?.stringValue ?? SHA256.hash(bytes).hex
        fields["segmind_sha256"] = .string(original)
        if metadata == .embedded {
            do {
                let tagged = try ImageMetadataWriter.embedding(parameters, in: bytes)
                fields["sha256"] = .string(SHA256.hash(tagged).hex)
                fields["bytes"] = .integer(Int64(tagged.count))
                fields["metadata"] = .string(PictureMetadata.embedded.rawValue)
                return TaggedOutput(bytes: tagged, sidecar: nil, entry: .object(fields))
            } catch {
                fields["metadata_note"] = .string("\(error); the parameters are in \(file).xmp instead")
            }
        }
        fields["sha256"] = .string(original)
        fields["metadata"] = .string(PictureMetadata.sidecar.rawValue)
        fields["xmp"] = .string("\(file).xmp")
        return TaggedOutput(bytes: bytes, sidecar: ImageMetadataWriter.sidecar(parameters), entry: .object(fields))
    }

    /// The parameters a picture came from: what was sent (prompt, negative prompt, seed, steps under the
    /// catalog's names), the model and request, the picture's own size, and facedrop's version.
    static func generationParameters(
        sent: [String: JSONValue],
        model: String,
        requestID: String,
        picture: [UInt8],
        size: (width: Int?, height: Int?)
    ) -> GenerationParameters {
        let info = size.width != nil && size.height != nil ? nil : try? ImageInfo.inspect(picture)
        return GenerationParameters(
            prompt: sent["prompt"]?.stringValue,
            negativePrompt: sent["negative_prompt"]?.stringValue,
            seed: (sent["seed"]?.intValue).map(Int64.init),
            model: model,
            steps: (sent["steps"] ?? sent["num_inference_steps"] ?? sent["num_steps"])?.intValue,
            width: size.width ?? info?.width,
            height: size.height ?? info?.height,
            requestID: requestID,
            software: "facedrop \(FacedropVersion.current)"
        )
    }
}
