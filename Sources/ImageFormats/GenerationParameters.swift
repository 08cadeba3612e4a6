/// What produced a generated picture, written into the picture itself so the prompt and seed travel with the
/// file: the two forms image tools read.
///
/// - ``parametersText``: the plain-text block AUTOMATIC1111's web UI writes into a PNG `parameters` text chunk,
///   which ComfyUI, InvokeAI and image browsers (sd-parsers, Civitai) parse: the prompt, `Negative prompt: …`,
///   then one line of `Key: value` pairs.
/// - ``xmpPacket()``: an XMP packet (`dc:description` holds the prompt, `xmp:CreatorTool` facedrop's version,
///   and facedrop's own namespace each parameter), which `exiftool`, digiKam and Lightroom show.
package struct GenerationParameters: Sendable, Hashable {
    /// facedrop's XMP namespace and its usual prefix.
    package static let namespace = "https://facedrop.dev/xmp/1.0/"
    package static let prefix = "facedrop"

    package var prompt: String?
    package var negativePrompt: String?
    package var seed: Int64?
    package var model: String
    package var steps: Int?
    package var width: Int?
    package var height: Int?
    package var requestID: String
    /// `facedrop 0.1.0 (commit)`.
    package var software: String

    package init(
        prompt: String? = nil,
        negativePrompt: String? = nil,
        seed: Int64? = nil,
        model: String,
        steps: Int? = nil,
        width: Int? = nil,
        height: Int? = nil,
        requestID: String,
        software: String
    ) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.seed = seed
        self.model = model
        self.steps = steps
        self.width = width
        self.height = height
        self.requestID = requestID
        self.software = software
    }

    /// The AUTOMATIC1111 form: prompt, `Negative prompt:` line, then `Steps: 20, Seed: 7, Size: 896x1152, …`.
    /// Values holding a comma, colon or quote are quoted as JSON strings, as the web UI does.
    package var parametersText: String {
        var lines: [String] = []
        if let prompt { lines.append(prompt) }
        if let negativePrompt { lines.append("Negative prompt: \(negativePrompt)") }
        var pairs: [(String, String)] = []
        if let steps { pairs.append(("Steps", String(steps))) }
        if let seed { pairs.append(("Seed", String(seed))) }
        if let width, let height { pairs.append(("Size", "\(width)x\(height)")) }
        pairs.append(("Model", model))
        pairs.append(("Request ID", requestID))
        pairs.append(("Version", software))
        lines.append(pairs.map { "\($0.0): \(Self.quotedIfNeeded($0.1))" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// The XMP packet, UTF-8, with a byte-order mark in its header as XMP's packet wrapper asks.
    package func xmpPacket() -> String {
        var attributes = [
            ("xmp:CreatorTool", software),
            ("\(Self.prefix):Model", model),
            ("\(Self.prefix):RequestID", requestID),
        ]
        if let seed { attributes.append(("\(Self.prefix):Seed", String(seed))) }
        if let steps { attributes.append(("\(Self.prefix):Steps", String(steps))) }
        if let width, let height {
            attributes.append(("\(Self.prefix):Width", String(width)))
            attributes.append(("\(Self.prefix):Height", String(height)))
        }
        var elements: [String] = []
        if let prompt {
            elements.append(
                "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">\(Self.escaped(prompt))</rdf:li></rdf:Alt></dc:description>"
            )
            elements.append("<\(Self.prefix):Prompt>\(Self.escaped(prompt))</\(Self.prefix):Prompt>")
        }
        if let negativePrompt {
            elements.append("<\(Self.prefix):NegativePrompt>\(Self.escaped(negativePrompt))</\(Self.prefix):NegativePrompt>")
        }
        elements.append("<\(Self.prefix):Parameters>\(Self.escaped(parametersText))</\(Self.prefix):Parameters>")
        let attributeText = attributes.map { "\n    \($0.0)=\"\(Self.escaped($0.1))\"" }.joined()
        return """
            <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
             <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
              <rdf:Description rdf:about=""
                xmlns:dc="http://purl.org/dc/elements/1.1/"
                xmlns:xmp="http://ns.adobe.com/xap/1.0/"
                xmlns:\(Self.prefix)="\(Self.namespace)"\(attributeText)>
               \(elements.joined(separator: "\n   "))
              </rdf:Description>
             </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="w"?>
            """
    }

    /// `text` with XML's five special characters as entities, and the control characters XML 1.0 cannot hold
    /// (all but tab, line feed and carriage return) left out.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == ":" || $0 == "\"" || $0 == "\n" }) else { return value }
        var quoted = "\""
        for character in value {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
