// libFuzzer target: bytes → StrictJSON's parser, with tight and loose limits, and the writer.
//
// A thrown error is an answer; a trap, a crash, a leak or a hang is a finding. Beyond "no crash": what the
// writer makes of a parsed value must parse back to the same value (compact and pretty), a document the
// default limits accept must be accepted by looser ones with the same value, and one the loose limits refuse
// must be refused by the default ones too.
import StrictJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let loose = JSONParsingLimits(maxBytes: Int.max, maxDepth: JSONParsingLimits.depthCeiling)
    let strict = JSONParsingLimits(maxBytes: 4096, maxDepth: 8)
    let byDefault = try? JSONParser().parse(bytes)
    let byLoose = try? JSONParser(limits: loose).parse(bytes)
    let byStrict = try? JSONParser(limits: strict).parse(bytes)
    if let byDefault {
        precondition(byLoose == byDefault, "looser limits read another value")
    }
    if byLoose == nil {
        precondition(byDefault == nil && byStrict == nil, "tighter limits accepted what looser ones refused")
    }
    if let byStrict {
        precondition(byStrict == byLoose, "tight limits read another value")
    }
    if let value = byLoose {
        for pretty in [false, true] {
            let text = value.serialized(pretty: pretty)
            guard let again = try? JSONParser(limits: loose).parse(text), again == value else {
                preconditionFailure("the writer's output does not read back: \(String(decoding: text, as: UTF8.self))")
            }
        }
        consume(value.serializedString(sortedKeys: false))
    }
    do {
        _ = try JSONParser(limits: strict).parse(bytes)
    } catch {
        consume(error.description)
    }
    return 0
}

/// Keeps the optimizer from dropping a rendering whose result is otherwise unused.
private var renderedBytes = 0

private func consume(_ text: String) {
    renderedBytes &+= text.utf8.count
}
