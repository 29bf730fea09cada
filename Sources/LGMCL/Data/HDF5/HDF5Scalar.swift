import CHDF5

/// A Swift number type stored in HDF5: its in-memory type and the little-endian type written to
/// files (what h5py and numpy call `<f4`, `<i8`, `|u1` …).
public protocol HDF5Scalar: Numeric {
    static var memoryType: hid_t { get }
    static var fileType: hid_t { get }
    static var typeName: String { get }
}

extension Float: HDF5Scalar {
    public static var memoryType: hid_t { lgmcl_h5t_native_float() }
    public static var fileType: hid_t { lgmcl_h5t_ieee_f32le() }
    public static var typeName: String { "float32" }
}

extension Double: HDF5Scalar {
    public static var memoryType: hid_t { lgmcl_h5t_native_double() }
    public static var fileType: hid_t { lgmcl_h5t_ieee_f64le() }
    public static var typeName: String { "float64" }
}

extension UInt8: HDF5Scalar {
    public static var memoryType: hid_t { lgmcl_h5t_native_uint8() }
    public static var fileType: hid_t { lgmcl_h5t_std_u8le() }
    public static var typeName: String { "uint8" }
}

extension Int32: HDF5Scalar {
    public static var memoryType: hid_t { lgmcl_h5t_native_int32() }
    public static var fileType: hid_t { lgmcl_h5t_std_i32le() }
    public static var typeName: String { "int32" }
}

extension Int64: HDF5Scalar {
    public static var memoryType: hid_t { lgmcl_h5t_native_int64() }
    public static var fileType: hid_t { lgmcl_h5t_std_i64le() }
    public static var typeName: String { "int64" }
}
