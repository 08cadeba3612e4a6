import StrictJSON

/// Turns a parsed catalog document into ``ModelSpec`` values, collecting every structural problem
/// (missing keys, wrong types, unknown keys) instead of stopping at the first.
///
/// Unknown keys are problems rather than being ignored: in a hand-edited data file they are almost
/// always typos (`"maximun"`), and a silently ignored range is worse than a refused file.
struct CatalogDecoder {
    private(set) var problems: [String] = []

    private static let catalogKeys: Set<String> = ["format", "description", "models"]
    private static let modelKeys: Set<String> = [
        "slug", "title", "face_field", "pose_field", "pose_required", "expected_run_seconds", "cost_per_run",
        "output_count_parameter", "output_format_parameter", "width_parameter", "height_parameter",
        "v2_overrides", "source", "notes", "parameters",
    ]
    private static let parameterKeys: Set<String> = [
        "name", "type", "minimum", "maximum", "enum", "default", "required", "description", "notes",
    ]

    mutating func decodeCatalog(_ document: JSONValue) -> [ModelSpec] {
        guard let object = document.objectValue else {
            problems.append("the catalog must be a JSON object with a \"models\" array")
            return []
        }
        reportUnknownKeys(object, allowed: Self.catalogKeys, in: "the catalog")
        if let format = object["format"], format != 1 {
            problems.append("the catalog has format \(format.brief); this facedrop reads format 1")
        }
        guard let entries = require(object, "models", in: "the catalog", as: "an array", \.arrayValue) else {
            return []
        }
        return entries.enumerated().compactMap { index, entry in decodeModel(entry, index: index) }
    }

    private mutating func decodeModel(_ entry: JSONValue, index: Int) -> ModelSpec? {
        guard
            let (object, context) = open(
                entry,
                unnamed: "model #\(index + 1)",
                nameKey: "slug",
                allowed: Self.modelKeys,
                named: { "model '\($0)'" }
            )
        else { return nil }

        let parameters = (require(object, "parameters", in: context, as: "an array", \.arrayValue) ?? [])
            .enumerated()
            .compactMap { offset, value in decodeParameter(value, index: offset, in: context) }
        let overrides = require(object, "v2_overrides", in: context, as: "an object", \.objectValue)

        guard
            let slug = require(object, "slug", in: context, as: "a string", \.stringValue),
            let title = require(object, "title", in: context, as: "a string", \.stringValue),
            let faceField = require(object, "face_field", in: context, as: "a string", \.stringValue),
            let poseField = nullable(object, "pose_field", in: context, as: "a string or null", \.stringValue),
            let poseRequired = require(object, "pose_required", in: context, as: "a boolean", \.boolValue),
            let seconds = require(object, "expected_run_seconds", in: context, as: "a number", \.doubleValue),
            let cost = nullable(object, "cost_per_run", in: context, as: "a number or null", \.doubleValue),
            let countParameter = require(
                object,
                "output_count_parameter",
                in: context,
                as: "a string",
                \.stringValue
            ),
            let formatParameter = nullable(
                object,
                "output_format_parameter",
                in: context,
                as: "a string or null",
                \.stringValue
            ),
            let widthParameter = nullable(
                object,
                "width_parameter",
                in: context,
                as: "a string or null",
                \.stringValue
            ),
            let heightParameter = nullable(
                object,
                "height_parameter",
                in: context,
                as: "a string or null",
                \.stringValue
            ),
            let source = require(object, "source", in: context, as: "a string", \.stringValue),
            let notes = nullable(object, "notes", in: context, as: "a string or null", \.stringValue, optional: true),
            let overrides
        else { return nil }

        return ModelSpec(
            slug: slug,
            title: title,
            faceField: faceField,
            poseField: poseField,
            poseRequired: poseRequired,
            expectedRunSeconds: seconds,
            costPerRun: cost,
            outputCountParameter: countParameter,
            outputFormatParameter: formatParameter,
            widthParameter: widthParameter,
            heightParameter: heightParameter,
            v2Overrides: overrides,
            source: source,
            notes: notes,
            parameters: parameters
        )
    }

    private mutating func decodeParameter(_ entry: JSONValue, index: Int, in model: String) -> ParameterSpec? {
        guard
            let (object, context) = open(
                entry,
                unnamed: "\(model), parameter #\(index + 1)",
                nameKey: "name",
                allowed: Self.parameterKeys,
                named: { "\(model), parameter '\($0)'" }
            )
        else { return nil }

        let typeName = require(object, "type", in: context, as: "a string", \.stringValue)
        let type = typeName.flatMap(ParameterType.init(rawValue:))
        if let typeName, type == nil {
            let known = ParameterType.allCases.map(\.rawValue).joined(separator: ", ")
            problems.append("\(context): unknown type \"\(typeName)\" (known: \(known))")
        }
        guard
            let name = require(object, "name", in: context, as: "a string", \.stringValue),
            let type,
            let minimum = nullable(object, "minimum", in: context, as: "a number", \.doubleValue, optional: true),
            let maximum = nullable(object, "maximum", in: context, as: "a number", \.doubleValue, optional: true),
            let allowedValues = nullable(object, "enum", in: context, as: "an array", \.arrayValue, optional: true),
            let required = nullable(object, "required", in: context, as: "a boolean", \.boolValue, optional: true),
            let description = nullable(
                object,
                "description",
                in: context,
                as: "a string",
                \.stringValue,
                optional: true
            ),
            let notes = nullable(object, "notes", in: context, as: "a string", \.stringValue, optional: true)
        else { return nil }

        return ParameterSpec(
            name: name,
            type: type,
            minimum: minimum,
            maximum: maximum,
            allowedValues: allowedValues,
            defaultValue: object["default"],
            required: required ?? false,
            description: description ?? "",
            notes: notes
        )
    }

    // MARK: Field access

    /// A key that must be present with a value of one kind.
    private mutating func require<T>(
        _ object: [String: JSONValue],
        _ key: String,
        in context: String,
        as expected: String,
        _ extract: (JSONValue) -> T?
    ) -> T? {
        guard let value = object[key] else {
            problems.append("\(context): \"\(key)\" is missing")
            return nil
        }
        guard let result = extract(value) else {
            problems.append("\(context): \"\(key)\" must be \(expected), not \(value.brief)")
            return nil
        }
        return result
    }

    /// A key whose value may be `null` (and, when `optional`, absent). Returns `.some(nil)` for
    /// null or absent, `nil` for a problem.
    private mutating func nullable<T>(
        _ object: [String: JSONValue],
        _ key: String,
        in context: String,
        as expected: String,
        _ extract: (JSONValue) -> T?,
        optional: Bool = false
    ) -> T?? {
        guard let value = object[key] else {
            if optional { return .some(nil) }
            problems.append("\(context): \"\(key)\" is missing (write null if there is none)")
            return nil
        }
        if value.isNull { return .some(nil) }
        guard let result = extract(value) else {
            problems.append("\(context): \"\(key)\" must be \(expected), not \(value.brief)")
            return nil
        }
        return .some(result)
    }

    /// The entry as an object, and how messages name it: by its name where it has one, else by its
    /// position. Reports a non-object and unknown keys.
    private mutating func open(
        _ entry: JSONValue,
        unnamed: String,
        nameKey: String,
        allowed: Set<String>,
        named: (String) -> String
    ) -> (object: [String: JSONValue], context: String)? {
        guard let object = entry.objectValue else {
            problems.append("\(unnamed) must be an object")
            return nil
        }
        let context = object[nameKey]?.stringValue.map(named) ?? unnamed
        reportUnknownKeys(object, allowed: allowed, in: context)
        return (object, context)
    }

    private mutating func reportUnknownKeys(_ object: [String: JSONValue], allowed: Set<String>, in context: String) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            problems.append("\(context): unknown key \"\(key)\"")
        }
    }
}
