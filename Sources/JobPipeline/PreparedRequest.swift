public import SegmindCatalog

/// What a job will send to Segmind, built from the job's files and checked before a credit is spent.
public struct PreparedRequest: Sendable {
    /// The model's slug.
    public var model: String
    /// The body of the POST, images inline as base64.
    public var body: [String: JSONValue]
    /// The body as `result.json` records it: images replaced by their hash, size and type.
    public var parameters: [String: JSONValue]
    /// Parameters the catalog does not know, passed through and noted.
    public var warnings: [String]
    /// The catalog's usual run time for the model, before any scaling.
    public var expectedRunSeconds: Double
}
