// libFuzzer target: bytes → the sidecar path of `JobPreparer`: the strict JSON parser, then the
// validator against the bundled catalog, with every description rendered.
//
// A thrown or returned error is an answer; a trap, a crash, a leak or a hang is a finding. Beyond "no
// crash", what the writer makes of a parsed value must parse back to the same value, a rejection must
// name at least one problem, and an accepted sidecar must run on the model it was checked against with
// the dropped image in the face field.
import SegmindCatalog
import StrictJSON

private let catalog: ModelCatalog = {
    do {
        return try ModelCatalog.bundled()
    } catch {
        fatalError("the bundled catalog does not load: \(error)")
    }
}()

private let validator = SidecarValidator(catalog: catalog)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSidecar(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let value: JSONValue
    do {
        // The limits `JobPreparer.parseSidecar` uses.
        value = try JSONParser().parse(bytes)
    } catch {
        consume(error.description)
        return 0
    }
    checkRoundTrip(value)
    guard let sidecar = value.objectValue else { return 0 }

    // As the daemon validates: with the model the sidecar names, or else with each model as the
    // inbox's default. Whether a pose image lies next to the face varies with the input.
    let hasPoseImage = count % 2 == 1
    let named = sidecar["model"]?.stringValue.flatMap(catalog.model)
    for model in named.map({ [$0] }) ?? catalog.models {
        render(validator.validateSidecar(sidecar, defaultModel: model.slug, hasPoseImage: hasPoseImage), model: model)
        // The emulator checks request bodies of the same shape.
        let (problems, warnings) = validator.validateRequestBody(sidecar, model: model)
        consume((problems + warnings).map(\.description).joined())
    }
    // No default model at all, and the same object as an inbox's `defaults` under an empty sidecar
    // (where every message names the defaults as the origin).
    render(validator.validateSidecar(sidecar, hasPoseImage: hasPoseImage), model: nil)
    render(validator.validateSidecar([:], inboxDefaults: sidecar, defaultModel: catalog.models.first?.slug), model: nil)
    return 0
}

private func render(_ result: Result<ValidatedSidecar, SidecarRejection>, model: ModelSpec?) {
    switch result {
    case .success(let validated):
        precondition(model.map { validated.model.slug == $0.slug } ?? true, "validated against another model")
        let body = validated.requestBody(faceImage: "aGVsbG8=", poseImage: "d29ybGQ=")
        precondition(body[validated.model.faceField] == .string("aGVsbG8="), "the face field is not the dropped image")
        consume(JSONValue.object(validated.options).serializedString())
        renderJSON(validated.warnings)
    case .failure(let rejection):
        precondition(!rejection.issues.isEmpty, "a rejection without a problem")
        consume(rejection.description)
        renderJSON(rejection.issues + rejection.warnings)
    }
}

/// Issues as `error.json` and `result.json` hold them. A sidecar of a thousand unknown keys has a
/// thousand warnings of one shape; a few of them cover the code.
private func renderJSON(_ issues: [ValidationIssue]) {
    consume(issues.prefix(8).map { $0.jsonValue.serializedString() }.joined())
}

/// The writer's output for a parsed value must parse back to the same value, compact and pretty.
private func checkRoundTrip(_ value: JSONValue) {
    for pretty in [false, true] {
        let text = value.serialized(pretty: pretty)
        let limits = JSONParsingLimits(maxBytes: Int.max, maxDepth: JSONParsingLimits.depthCeiling)
        guard let again = try? JSONParser(limits: limits).parse(text), again == value else {
            preconditionFailure("the writer's output does not read back: \(String(decoding: text, as: UTF8.self))")
        }
    }
}

/// Keeps the optimizer from dropping a rendering whose result is otherwise unused.
private var renderedBytes = 0

private func consume(_ text: String) {
    renderedBytes &+= text.utf8.count
}
