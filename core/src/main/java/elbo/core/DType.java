package elbo.core;

/**
 * Element type of a tensor. {@link #FLOAT32} is for training; {@link #FLOAT64} is for verification
 * (gradient checks, statistical properties) where round-off must not hide a bug.
 */
public enum DType {
    /** IEEE 754 binary32, stored in a {@code float[]}. */
    FLOAT32(4, "F32"),
    /** IEEE 754 binary64, stored in a {@code double[]}. */
    FLOAT64(8, "F64");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype's name in the safetensors format ({@code F32}, {@code F64}). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /**
     * The dtype named {@code name} in the safetensors format.
     *
     * @throws IllegalArgumentException if {@code name} is not {@code F32} or {@code F64}
     */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + name + "' (ELBO reads F32 and F64)");
    }
}
