import Foundation
import SegmindCatalog
import StrictJSON
import Testing

@Suite("Model catalog")
struct ModelCatalogTests {
    @Test func bundledCatalogHasTheFiveModels() throws {
        let catalog = try ModelCatalog.bundled()
        #expect(catalog.slugs == ["pulid-base", "flux-pulid", "consistent-character-with-pose", "pulid-lightning", "instantid"])

        let fields = catalog.models.map { "\($0.slug) \($0.faceField) \($0.poseField ?? "-") \($0.poseRequired)" }
        #expect(
            fields == [
                "pulid-base face_image - false",
                "flux-pulid main_face_image - false",
                "consistent-character-with-pose face_image pose_image true",
                "pulid-lightning face_image - false",
                "instantid face_image pose_image false",
            ]
        )
    }

    @Test func modelsCarryTheirRunFacts() throws {
        let catalog = try ModelCatalog.bundled()
        let base = try #require(catalog.model("pulid-base"))
        #expect(base.expectedRunSeconds == 70.7)
        #expect(base.costPerRun == 0.205)
        #expect(base.defaultOutputCount == 1)
        #expect(base.defaultOutputFormat == "webp")
        #expect(base.parameter("face_style")?.allowedValues == ["high-fidelity", "stylized"])
        #expect(base.parameter("checkpoint_model")?.allowedValues == nil)

        let flux = try #require(catalog.model("flux-pulid"))
        #expect(flux.outputCountParameter == "num_outputs")
        #expect(flux.parameter("width")?.minimum == 256)
        #expect(flux.parameter("width")?.maximum == 1536)
        #expect(flux.parameter("prompt")?.required == true)

        let pose = try #require(catalog.model("consistent-character-with-pose"))
        #expect(pose.v2Overrides == ["base_64": false])
        #expect(pose.widthParameter == "custom_width")
        #expect(pose.costPerRun == nil)
        #expect(pose.parameter("seed")?.defaultValue == .integer(2_778_725_438))
        #expect(pose.imageParameters.map(\.name) == ["face_image", "pose_image"])

        let lightning = try #require(catalog.model("pulid-lightning"))
        #expect(lightning.expectedRunSeconds == 210.8)
        #expect(lightning.parameter("output_format")?.allowedValues == ["png", "webp", "jpg"])
        #expect(lightning.parameter("checkpoint_model")?.allowedValues == ["default", "artistic", "realistic"])
        #expect(lightning.defaultOutputFormat == "png")

        let instantid = try #require(catalog.model("instantid"))
        #expect(instantid.v2Overrides == ["base64": false])
        #expect(instantid.outputFormatParameter == nil)
        #expect(instantid.defaultOutputFormat == nil)
        #expect(instantid.parameter("seed")?.maximum == 999_999_999_999_999)
        #expect(instantid.parameter("pose_image")?.defaultValue == 1)
        #expect(instantid.parameter("pose_image")?.notes != nil)
        #expect(instantid.parameter("nonexistent") == nil)
    }

    @Test func onlyListedEnumsExist() throws {
        // Where the pages list no values there is no enum: only these four carry one.
        let catalog = try ModelCatalog.bundled()
        let enums = catalog.models.flatMap { model in
            model.parameters.filter { $0.allowedValues != nil }.map { "\(model.slug).\($0.name)" }
        }
        #expect(
            enums == [
                "pulid-base.face_style", "pulid-lightning.checkpoint_model", "pulid-lightning.face_style",
                "pulid-lightning.output_format",
            ]
        )
    }

    @Test func aBrokenModelIsRejectedWithEveryProblem() throws {
        let document = """
            {"models": [{
              "slug": "broken", "title": "Broken", "face_field": "face", "pose_field": "pose", "pose_required": true,
              "expected_run_seconds": 0, "cost_per_run": null, "output_count_parameter": "count",
              "output_format_parameter": null, "width_parameter": "w", "height_parameter": null,
              "v2_overrides": {"nope": false}, "source": "test", "colour": "red",
              "parameters": [
                {"name": "face", "type": "string"},
                {"name": "count", "type": "integer", "minimum": 5, "maximum": 1, "default": 9},
                {"name": "style", "type": "string", "enum": ["a", 2]},
                {"name": "steps", "type": "integer", "minimum": 1, "maximum": 10, "default": 50},
                {"name": "w", "type": "float"},
                {"name": "flag", "type": "boolean", "default": 1, "maximun": 3}
              ]
            }]}
            """
        let error = try #require(throws: CatalogError.self) { try ModelCatalog(jsonBytes: Array(document.utf8)) }
        guard case .invalid(let problems) = error else {
            Issue.record("expected .invalid, got \(error)")
            return
        }
        let text = problems.joined(separator: "\n")
        // Structure first: the unknown keys and the unknown type.
        #expect(text.contains("model 'broken': unknown key \"colour\""))
        #expect(text.contains("parameter 'flag': unknown key \"maximun\""))
        #expect(text.contains("parameter 'w': unknown type \"float\""))
        #expect(error.description.hasPrefix("the model catalog has \(problems.count) problems:\n  - "))

        // Fix the structure, and the consistency problems all come out together.
        let fixed = document.replacingOccurrences(of: #", "colour": "red""#, with: "")
            .replacingOccurrences(of: #", "maximun": 3"#, with: "")
            .replacingOccurrences(of: #""type": "float""#, with: #""type": "integer""#)
        let second = try #require(throws: CatalogError.self) { try ModelCatalog(jsonBytes: Array(fixed.utf8)) }
        guard case .invalid(let consistency) = second else {
            Issue.record("expected .invalid, got \(second)")
            return
        }
        let expected = [
            "face_field 'face' must be a parameter of type image, not string",
            "pose_field 'pose' is not a declared parameter",
            "expected_run_seconds must be a positive number",
            "width_parameter and height_parameter must both be set or both be null",
            "v2_overrides names 'nope'",
            "parameter 'count': minimum 5 is above maximum 1",
            "parameter 'style': enum value 2 is not a string",
            "parameter 'steps': default 50 disagrees with the parameter",
            "parameter 'flag': default 1 disagrees with the parameter",
        ]
        for fragment in expected {
            #expect(consistency.contains { $0.contains(fragment) }, "missing: \(fragment)")
        }
    }

    @Test func malformedAndUnreadableFilesAreReported() throws {
        #expect(throws: CatalogError.malformed(JSONParsingError(offset: 13, reason: .unexpectedEnd))) {
            try ModelCatalog(jsonBytes: Array(#"{"models": [{"#.utf8))
        }
        #expect(throws: CatalogError.invalid(problems: ["the catalog lists no models"])) {
            try ModelCatalog(jsonBytes: Array(#"{"models": []}"#.utf8))
        }
        #expect(throws: CatalogError.invalid(problems: ["the catalog has format 2; this facedrop reads format 1"])) {
            try ModelCatalog(jsonBytes: Array(#"{"format": 2, "models": []}"#.utf8))
        }
        let missing = try #require(throws: CatalogError.self) {
            try ModelCatalog(contentsOfFile: "/nonexistent/models.json")
        }
        #expect(missing.description.hasPrefix("cannot read the model catalog /nonexistent/models.json"))
    }

    @Test func aSixthModelNeedsOnlyData() throws {
        let bundled = try ModelCatalog.bundled()
        let extra = try JSONParser().parse(Self.sixthModel)
        // A catalog file: the bundled file's five models plus the sixth, written by facedrop's writer.
        let original = try JSONParser().parse(Data(contentsOf: Self.bundledFile))
        var document = try #require(original.objectValue)
        document["models"] = .array(try #require(original["models"]?.arrayValue) + [extra])

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("models.json").path
        try Data(JSONValue.object(document).serialized(pretty: true)).write(to: URL(fileURLWithPath: path))

        let catalog = try ModelCatalog(contentsOfFile: path)
        #expect(catalog.slugs == bundled.slugs + ["faceswap-test"])
        let model = try #require(catalog.model("faceswap-test"))
        #expect(model.faceField == "source_image")
        #expect(model.defaultOutputCount == 2)
        #expect(Array(catalog.models.prefix(5)) == bundled.models)

        let validator = SidecarValidator(catalog: catalog)
        let accepted = validator.validateSidecar(["model": "faceswap-test", "strength": 0.5])
        #expect((try? accepted.get())?.parameters == ["strength": 0.5])
        let rejected = validator.validateSidecar(["model": "faceswap-test", "strength": 2])
        #expect(rejected.failureIssues.map(\.code) == [.outOfRange])
    }

    /// The bundled data file in the source tree (the test target has no resources of its own).
    private static let bundledFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/SegmindCatalog/Resources/models.json")

    private static let sixthModel = """
        {
          "slug": "faceswap-test", "title": "A sixth model", "face_field": "source_image",
          "pose_field": null, "pose_required": false, "expected_run_seconds": 5, "cost_per_run": 0.01,
          "output_count_parameter": "count", "output_format_parameter": null,
          "width_parameter": null, "height_parameter": null, "v2_overrides": {}, "source": "test",
          "parameters": [
            {"name": "source_image", "type": "image", "required": true, "description": "The face"},
            {"name": "count", "type": "integer", "minimum": 1, "maximum": 4, "default": 2},
            {"name": "strength", "type": "number", "minimum": 0, "maximum": 1}
          ]
        }
        """
}

extension Result where Failure == SidecarRejection {
    /// The rejection's issues, or none when validation passed.
    var failureIssues: [ValidationIssue] {
        if case .failure(let rejection) = self { return rejection.issues }
        return []
    }
}
