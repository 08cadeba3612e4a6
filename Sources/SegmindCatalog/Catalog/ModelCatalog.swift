import FileSystem
import Foundation
import StrictJSON

/// The Segmind models facedrop can drive, loaded from one data file.
///
/// The bundled `models.json` describes the five models from Segmind's pages; another file with the
/// same format can replace or extend it, and adding a model means editing data only. Loading checks
/// the file's own consistency (the face field is a declared image parameter, enum values have the
/// parameter's type, defaults lie within ranges unless a note explains the page's disagreement) and
/// reports every problem at once.
///
/// ```swift
/// let catalog = try ModelCatalog.bundled()
/// let flux = catalog.model("flux-pulid")   // faceField "main_face_image"
/// ```
public struct ModelCatalog: Sendable {
    /// The models, in the file's order.
    public let models: [ModelSpec]

    /// Builds a catalog from specs, checking them as a file would be checked.
    public init(models: [ModelSpec]) throws(CatalogError) {
        let problems = CatalogConsistency.problems(in: models)
        guard problems.isEmpty else { throw .invalid(problems: problems) }
        self.models = models
    }

    /// Reads a catalog from the bytes of a catalog file.
    public init(jsonBytes: [UInt8]) throws(CatalogError) {
        let document: JSONValue
        do {
            document = try JSONParser(limits: JSONParsingLimits(maxBytes: 16 << 20, maxDepth: 32)).parse(jsonBytes)
        } catch {
            throw .malformed(error)
        }
        var decoder = CatalogDecoder()
        let models = decoder.decodeCatalog(document)
        guard decoder.problems.isEmpty else { throw .invalid(problems: decoder.problems) }
        try self.init(models: models)
    }

    /// Reads a catalog file.
    public init(contentsOfFile path: String) throws(CatalogError) {
        let bytes: [UInt8]
        do {
            bytes = try Files.read(path, limit: 16 << 20, followingLink: true)
        } catch {
            throw .unreadable(path: path, reason: error.reasonText)
        }
        try self.init(jsonBytes: bytes)
    }

    /// The catalog shipped with facedrop. It is read once per process.
    public static func bundled() throws(CatalogError) -> ModelCatalog {
        try bundledResult.get()
    }

    private static let bundledResult: Result<ModelCatalog, CatalogError> = {
        guard let url = Bundle.module.url(forResource: "models", withExtension: "json") else {
            return .failure(.resourceMissing)
        }
        return Result { () throws(CatalogError) in try ModelCatalog(contentsOfFile: url.path) }
    }()

    /// The model with this slug, if the catalog has it.
    public func model(_ slug: String) -> ModelSpec? {
        models.first { $0.slug == slug }
    }

    /// The slugs, in the file's order.
    public var slugs: [String] {
        models.map(\.slug)
    }
}
