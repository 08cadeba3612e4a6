public import StrictJSON

/// One Segmind model as facedrop drives it: which fields carry the images, which parameters set the
/// output count, format and size, and every parameter its page documents.
///
/// Specs come from the catalog data file (``ModelCatalog``); code never lists models itself, so a
/// model is added by editing that file only.
public struct ModelSpec: Sendable, Hashable {
    /// The model's path segment in `POST /v2/{slug}`.
    public let slug: String
    /// A human-readable name.
    public let title: String
    /// The image parameter filled from the dropped face photo.
    public let faceField: String
    /// The image parameter filled from the pose image, if the model takes one.
    public let poseField: String?
    /// Whether a job for this model needs a pose image.
    public let poseRequired: Bool
    /// About how long one run takes, in seconds: the first poll waits this long.
    public let expectedRunSeconds: Double
    /// The price of one run in USD, where known.
    public let costPerRun: Double?
    /// The parameter that sets how many images one run makes.
    public let outputCountParameter: String
    /// The parameter that sets the image format, if the model has one.
    public let outputFormatParameter: String?
    /// The parameter that sets the output width, if any.
    public let widthParameter: String?
    /// The parameter that sets the output height, if any.
    public let heightParameter: String?
    /// Parameters always sent on v2 whatever the sidecar says, e.g. `{"base64": false}` so that the
    /// answer carries URLs rather than inline images.
    public let v2Overrides: [String: JSONValue]
    /// Where the data comes from.
    public let source: String
    /// Remarks on the model as a whole, if any.
    public let notes: String?
    /// Every parameter on the model's page, in the page's order.
    public let parameters: [ParameterSpec]

    public init(
        slug: String,
        title: String,
        faceField: String,
        poseField: String? = nil,
        poseRequired: Bool = false,
        expectedRunSeconds: Double,
        costPerRun: Double? = nil,
        outputCountParameter: String,
        outputFormatParameter: String? = nil,
        widthParameter: String? = nil,
        heightParameter: String? = nil,
        v2Overrides: [String: JSONValue] = [:],
        source: String = "",
        notes: String? = nil,
        parameters: [ParameterSpec]
    ) {
        self.slug = slug
        self.title = title
        self.faceField = faceField
        self.poseField = poseField
        self.poseRequired = poseRequired
        self.expectedRunSeconds = expectedRunSeconds
        self.costPerRun = costPerRun
        self.outputCountParameter = outputCountParameter
        self.outputFormatParameter = outputFormatParameter
        self.widthParameter = widthParameter
        self.heightParameter = heightParameter
        self.v2Overrides = v2Overrides
        self.source = source
        self.notes = notes
        self.parameters = parameters
    }

    /// The parameter named `name`, if the page documents it.
    public func parameter(_ name: String) -> ParameterSpec? {
        parameters.first { $0.name == name }
    }

    /// The parameters that take images (the face, the pose, any other).
    public var imageParameters: [ParameterSpec] {
        parameters.filter { $0.type == .image }
    }

    /// How many images a run makes when the request does not say: the output count parameter's
    /// default, else 1.
    public var defaultOutputCount: Int {
        parameter(outputCountParameter)?.defaultValue?.intValue ?? 1
    }

    /// The image format a run makes when the request does not say, if the model has a format
    /// parameter with a default.
    public var defaultOutputFormat: String? {
        outputFormatParameter.flatMap { parameter($0)?.defaultValue?.stringValue }
    }
}
