package dev.jvlm.synth;

import java.util.Objects;

/**
 * One shape of a scene. The offsets move it inside its grid cell (−1 and 1 are the farthest it can go
 * while staying inside the cell) so that the model sees variety without the position becoming
 * ambiguous.
 */
public record Shape(ShapeKind kind, ShapeColor color, ShapeSize size, Position position, double offsetX, double offsetY) {
    public Shape {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(color, "color");
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(position, "position");
        if (!(Math.abs(offsetX) <= 1 && Math.abs(offsetY) <= 1)) {
            throw new IllegalArgumentException("offsets must lie in [-1, 1], got " + offsetX + ", " + offsetY);
        }
    }

    /** The shape centred in its cell. */
    public Shape(ShapeKind kind, ShapeColor color, ShapeSize size, Position position) {
        this(kind, color, size, position, 0, 0);
    }
}
