import SegmindCatalog
package import StrictJSON

/// What a job will send to Segmind, built from the job's files and checked before a credit is spent.
package struct PreparedRequest: Sendable {
    /// The model's slug.
    package var model: String
    /// The body of the POST, images inline as base64.
    package var body: [String: JSONValue]
    /// The body as `result.json` records it: images replaced by their hash, size and type.
    package var parameters: [String: JSONValue]
    /// Parameters the catalog does not know, passed through and noted.
    package var warnings: [String]
    /// The catalog's usual run time for the model, before any scaling.
    package var expectedRunSeconds: Double
}
