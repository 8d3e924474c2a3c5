package dev.jvlm.tensor;

/** Element types a tensor can be stored in. Compute is always float32; narrower floats are widened in kernels. */
public enum DType {
    F32("F32", 4), BF16("BF16", 2), F16("F16", 2), I64("I64", 8), I32("I32", 4), I16("I16", 2), I8("I8", 1),
    U8("U8", 1), BOOL("BOOL", 1), F64("F64", 8);

    private final String safetensorsName;
    private final int byteSize;

    DType(String safetensorsName, int byteSize) {
        this.safetensorsName = safetensorsName;
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The dtype string used in safetensors headers ("F32", "BF16", ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    public boolean isFloatingPoint() {
        return this == F32 || this == BF16 || this == F16 || this == F64;
    }

    /** Parses a safetensors dtype string; null when it is not one jvlm reads. */
    public static DType fromSafetensors(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Parses a user-facing dtype name such as "f32", "bf16", "float16". */
    public static DType parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32", "float" -> F32;
            case "bf16", "bfloat16" -> BF16;
            case "f16", "float16", "half" -> F16;
            default -> throw new IllegalArgumentException("unknown dtype \"" + name + "\" (expected f32, bf16 or f16)");
        };
    }
}
