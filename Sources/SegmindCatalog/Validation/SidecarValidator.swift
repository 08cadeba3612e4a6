public import StrictJSON

/// Checks sidecars (and, for the emulator, request bodies) against the model catalog before a
/// single credit is spent.
///
/// Validation never stops at the first problem: a rejected sidecar lists everything wrong with it,
/// because the person fixing it has to edit a file in a shared folder and drop it again.
///
/// ```swift
/// let validator = SidecarValidator(catalog: try .bundled())
/// switch validator.validateSidecar(sidecar, defaultModel: "flux-pulid") {
/// case .success(let job): submit(job.requestBody(faceImage: base64))
/// case .failure(let rejection): fail(rejection.description)
/// }
/// ```
public struct SidecarValidator: Sendable {
    /// The models and parameters checked against.
    public let catalog: ModelCatalog

    /// Sidecar keys that are facedrop's own and never sent as parameters.
    public static let reservedKeys: Set<String> = ["model", "facedrop", "pose_image"]

    public init(catalog: ModelCatalog) {
        self.catalog = catalog
    }

    /// Validates a sidecar for one job.
    ///
    /// - Parameters:
    ///   - sidecar: The parsed `<stem>.json`.
    ///   - inboxDefaults: The inbox's `defaults`; they fill what the sidecar leaves out, and the
    ///     sidecar wins. A `facedrop` object in both is merged key by key, the sidecar winning.
    ///   - defaultModel: The inbox's model, used when neither the sidecar nor the defaults name one.
    ///   - hasPoseImage: Whether a `<stem>.pose.<ext>` file was found next to the face.
    public func validateSidecar(
        _ sidecar: [String: JSONValue],
        inboxDefaults: [String: JSONValue] = [:],
        defaultModel: String? = nil,
        hasPoseImage: Bool = false
    ) -> Result<ValidatedSidecar, SidecarRejection> {
        var merged = inboxDefaults.merging(sidecar) { _, fromSidecar in fromSidecar }
        if let defaultOptions = inboxDefaults["facedrop"]?.objectValue,
            let sidecarOptions = sidecar["facedrop"]?.objectValue
        {
            merged["facedrop"] = .object(defaultOptions.merging(sidecarOptions) { _, fromSidecar in fromSidecar })
        }
        let origin = { (key: String) in sidecar[key] == nil ? " (set by the inbox defaults)" : "" }
        var report = Report()

        let model = resolveModel(merged["model"], defaultModel: defaultModel, origin: origin("model"), into: &report)
        let options = readOptions(merged["facedrop"], origin: origin("facedrop"), into: &report)
        let poseImageName = readPoseImageName(merged["pose_image"], origin: origin("pose_image"), into: &report)

        guard let model else {
            return .failure(SidecarRejection(issues: report.problems, warnings: report.warnings))
        }
        var values = merged.filter { !Self.reservedKeys.contains($0.key) }
        if let value = values.removeValue(forKey: model.faceField) {
            report.problem(
                model.faceField,
                .faceFieldSet,
                "is filled from the dropped image and must not be set\(origin(model.faceField)) (found \(value.brief))"
            )
        }
        if let poseField = model.poseField, let value = values.removeValue(forKey: poseField) {
            report.problem(
                poseField,
                .poseFieldInvalid,
                "is filled from the pose image; name the file with \"pose_image\" instead (found \(value.brief))"
            )
        }
        let havePose = hasPoseImage || poseImageName != nil
        if model.poseField == nil, havePose {
            report.warning("pose_image", .poseIgnored, "\(model.slug) takes no pose image; it is not sent")
        } else if model.poseRequired, !havePose {
            report.problem(
                model.poseField,
                .poseMissing,
                "\(model.slug) needs a pose image: drop <stem>.pose.<ext> or name a file with \"pose_image\""
            )
        }

        var parameters = checkParameters(values, of: model, origin: origin, into: &report)
        for (name, value) in model.v2Overrides.sorted(by: { $0.key < $1.key }) {
            // A value already reported as a problem needs no second word about it.
            if let given = parameters[name], given != value, !report.problems.contains(where: { $0.field == name }) {
                report.warning(name, .overridden, "is always sent as \(value.brief) on v2; \(given.brief) is ignored")
            }
            parameters[name] = value
        }

        guard report.problems.isEmpty else {
            return .failure(SidecarRejection(issues: report.problems, warnings: report.warnings))
        }
        return .success(
            ValidatedSidecar(
                model: model,
                parameters: parameters,
                poseImageName: poseImageName,
                options: options,
                warnings: report.warnings
            )
        )
    }

    /// Checks a request body as it arrives at `POST /v2/{slug}`: the same parameter checks as a
    /// sidecar, and the face field (and a required pose field) must be present as non-empty URL or
    /// base64 strings.
    public func validateRequestBody(
        _ body: [String: JSONValue],
        model: ModelSpec
    ) -> (problems: [ValidationIssue], warnings: [ValidationIssue]) {
        var report = Report()
        var values = body
        let imageFields = [model.faceField, model.poseField].compactMap { $0 }
        for field in imageFields {
            guard let value = values.removeValue(forKey: field), !value.isNull else {
                if field == model.faceField {
                    report.problem(field, .missingRequired, "the face image is required")
                } else if model.poseRequired {
                    report.problem(field, .poseMissing, "the pose image is required")
                }
                continue
            }
            if !(value.stringValue.map(Self.isImageReference) ?? false) {
                report.problem(field, .wrongType, "expected a URL or base64 image string, got \(value.brief)")
            }
        }
        _ = checkParameters(values, of: model, origin: { _ in "" }, into: &report)
        return (report.problems, report.warnings)
    }

    // MARK: Parts

    private func resolveModel(
        _ value: JSONValue?,
        defaultModel: String?,
        origin: String,
        into report: inout Report
    ) -> ModelSpec? {
        let slug: String
        switch value {
        case .string(let given) where !given.isEmpty:
            slug = given
        case nil, .null:
            guard let defaultModel else {
                report.problem("model", .missingModel, "no model given, and the inbox names no default model")
                return nil
            }
            slug = defaultModel
        case let other?:
            report.problem("model", .wrongType, "expected a model name (a string)\(origin), got \(other.brief)")
            return nil
        }
        guard let model = catalog.model(slug) else {
            let known = catalog.slugs.joined(separator: ", ")
            report.problem("model", .unknownModel, "unknown model \"\(slug)\"\(origin); known models: \(known)")
            return nil
        }
        return model
    }

    private func readOptions(_ value: JSONValue?, origin: String, into report: inout Report) -> [String: JSONValue] {
        switch value {
        case nil, .null:
            return [:]
        case .object(let options):
            return options
        case let other?:
            report.problem("facedrop", .facedropOptionsInvalid, "must be an object\(origin), got \(other.brief)")
            return [:]
        }
    }

    private func readPoseImageName(_ value: JSONValue?, origin: String, into report: inout Report) -> String? {
        switch value {
        case nil, .null:
            return nil
        case .string(let name):
            if let reason = Self.problemWithFileName(name) {
                report.problem("pose_image", .poseFieldInvalid, "\(reason)\(origin)")
                return nil
            }
            return name
        case let other?:
            report.problem(
                "pose_image",
                .poseFieldInvalid,
                "must be the pose image's file name (a string)\(origin), got \(other.brief)"
            )
            return nil
        }
    }

    /// Why `name` is not a plain file name in the sidecar's own folder, or `nil` if it is one.
    static func problemWithFileName(_ name: String) -> String? {
        if name.isEmpty { return "the pose image's file name is empty" }
        // First, so that the messages below, which quote the name, never carry a control character
        // (a newline would forge a line in a log that shows the message).
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "the pose image's file name contains control characters"
        }
        if name.utf8.count > 255 { return "the pose image's file name is longer than 255 bytes" }
        if name.contains("/") { return "\"\(name)\" must be a plain file name in the same folder, without '/'" }
        if name.contains("..") { return "\"\(name)\" must not contain '..'" }
        if name.hasPrefix(".") { return "\"\(name)\" must not start with '.' (hidden files are ignored)" }
        return nil
    }

    /// Type, range and enum checks for every parameter, required parameters, and warnings for
    /// unknown and null ones. Returns what will be sent.
    private func checkParameters(
        _ values: [String: JSONValue],
        of model: ModelSpec,
        origin: (String) -> String,
        into report: inout Report
    ) -> [String: JSONValue] {
        var parameters: [String: JSONValue] = [:]
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard !value.isNull else {
                report.warning(name, .nullValue, "is null\(origin(name)) and is not sent")
                continue
            }
            guard let spec = model.parameter(name) else {
                report.warning(
                    name,
                    .unknownParameter,
                    "is not a known parameter of \(model.slug)\(origin(name)); it is sent as given"
                )
                parameters[name] = value
                continue
            }
            let (normalized, problems) = spec.check(value)
            for problem in problems {
                report.problem(name, problem.code, problem.message + origin(name))
            }
            parameters[name] = normalized
        }
        let imageFields = [model.faceField, model.poseField]
        for spec in model.parameters where spec.required && !imageFields.contains(spec.name) {
            if parameters[spec.name] == nil {
                report.problem(spec.name, .missingRequired, "is required by \(model.slug)")
            }
        }
        return parameters
    }

    /// Whether `text` can be an image as Segmind takes one: an http(s) or data URL, or raw base64.
    static func isImageReference(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        if text.hasPrefix("https://") || text.hasPrefix("http://") || text.hasPrefix("data:") { return true }
        return text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                true
            default:
                false
            }
        }
    }
}

/// Problems and warnings gathered during one validation.
private struct Report {
    var problems: [ValidationIssue] = []
    var warnings: [ValidationIssue] = []

    mutating func problem(_ field: String?, _ code: IssueCode, _ message: String) {
        problems.append(ValidationIssue(field: field, code: code, message: message))
    }

    mutating func warning(_ field: String?, _ code: IssueCode, _ message: String) {
        warnings.append(ValidationIssue(field: field, code: code, message: message))
    }
}
