/// The version written into every result record.
package enum FacedropVersion {
    package static let current = "0.1.0"
}
