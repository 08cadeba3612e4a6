import Foundation
import StrictJSON

extension ImageTrace {
    /// The metadata key: the PNG text keyword, and the prefix of the JPEG comment.
    package static let metadataKeyword = "facedrop-trace"

    /// The trace embedded by ``SyntheticImage/render(width:height:format:quality:trace:)``, or `nil`.
    ///
    /// Looks in a PNG `tEXt`/`iTXt` chunk with keyword `facedrop-trace`, a JPEG `COM` segment starting
    /// with `facedrop-trace:`, or a WebP `FDTR` chunk. Reads structure only, never pixels, and returns
    /// `nil` for anything malformed.
    package static func read(from bytes: some Collection<UInt8>) -> ImageTrace? {
        let bytes = Array(bytes)
        guard let format = ImageFormat.sniff(bytes), let json = try? embeddedJSON(in: bytes, format: format) else {
            return nil
        }
        return (try? JSONParser().parse(json)).flatMap(ImageTrace.init(json:))
    }

    /// The canonical JSON form: sorted keys, so equal traces give equal bytes (and equal pictures).
    func jsonBytes() throws(ImageEncodingError) -> [UInt8] {
        var object: [String: JSONValue] = [
            "requestID": .string(requestID), "model": .string(model), "faceSHA256": .string(faceSHA256),
            "index": .integer(Int64(index)),
        ]
        if let poseSHA256 { object["poseSHA256"] = .string(poseSHA256) }
        if let prompt { object["prompt"] = .string(prompt) }
        return JSONValue.object(object).serialized(sortedKeys: true)
    }

    /// Reads a trace back from its JSON form; nil when a field is missing or of the wrong kind.
    init?(json: JSONValue) {
        guard let requestID = json["requestID"]?.stringValue, let model = json["model"]?.stringValue,
            let faceSHA256 = json["faceSHA256"]?.stringValue, let index = json["index"]?.intValue
        else { return nil }
        self.init(
            requestID: requestID,
            model: model,
            faceSHA256: faceSHA256,
            poseSHA256: json["poseSHA256"]?.stringValue,
            index: index,
            prompt: json["prompt"]?.stringValue
        )
    }

    private static func embeddedJSON(in bytes: [UInt8], format: ImageFormat) throws(ImageInspectionError) -> [UInt8]? {
        var json: [UInt8]?
        switch format {
        case .png:
            try PNGLayout.forEachChunk(in: bytes) { chunk in
                if chunk.type == PNGLayout.text || chunk.type == PNGLayout.internationalText {
                    json = pngText(bytes[chunk.data], international: chunk.type == PNGLayout.internationalText)
                }
                return json == nil
            }
        case .jpeg:
            let prefix = Array((metadataKeyword + ":").utf8)
            try JPEGLayout.forEachSegment(in: bytes) { segment in
                let payload = bytes[segment.payload]
                if segment.marker == JPEGLayout.comment, payload.starts(with: prefix) {
                    json = Array(payload.dropFirst(prefix.count))
                }
                return json == nil
            }
        case .webp:
            try WebPLayout.forEachChunk(in: bytes) { chunk in
                if chunk.type == WebPLayout.trace { json = Array(bytes[chunk.payload]) }
                return json == nil
            }
        }
        return json
    }

    /// The text of a `tEXt` or uncompressed `iTXt` chunk whose keyword is ours.
    private static func pngText(_ data: ArraySlice<UInt8>, international: Bool) -> [UInt8]? {
        var fields = data.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        guard fields.count == 2, fields[0].elementsEqual(metadataKeyword.utf8) else { return nil }
        guard international else { return Array(fields[1]) }
        // iTXt: compression flag, compression method, language tag NUL, translated keyword NUL, text.
        let rest = fields.removeLast()
        guard rest.count >= 2, rest[rest.startIndex] == 0 else { return nil }
        let tail = rest.dropFirst(2).split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        return tail.count == 3 ? Array(tail[2]) : nil
    }
}
