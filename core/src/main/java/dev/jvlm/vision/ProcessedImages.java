package dev.jvlm.vision;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an image processor returns: the model input tensors under Hugging Face's names
 * ({@code pixel_values}, and per family {@code image_sizes}, {@code pixel_attention_mask} or
 * {@code image_grid_thw}) and, per input image, what the prompt needs to know about it.
 *
 * @param tensors tensors by Hugging Face name, in a stable order
 * @param images  one summary per input image, in input order
 */
public record ProcessedImages(Map<String, NdArray> tensors, List<ImageSummary> images) {

    public ProcessedImages {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        images = List.copyOf(images);
    }

    /** The {@code pixel_values} tensor every family produces. */
    public FloatArray pixelValues() {
        return (FloatArray) tensors.get("pixel_values");
    }

    /** A tensor by its Hugging Face name, or null when this family has none of that name. */
    public NdArray tensor(String name) {
        return tensors.get(name);
    }
}
