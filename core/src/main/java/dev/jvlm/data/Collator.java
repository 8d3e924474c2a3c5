package dev.jvlm.data;

import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.FloatArray;
import dev.jvlm.vision.LongArray;
import dev.jvlm.vision.NdArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds batches from encoded samples: right padding with the model's pad id, attention masks,
 * labels padded with {@code -100}, and the samples' image tensors combined as the family's Hugging
 * Face processor batches them. Obtained from {@link SampleEncoder#collator(int)}.
 */
public final class Collator {

    private final int padId;
    private final int maxLength;
    private final VisionFamily.ImageLayout layout;

    Collator(int padId, int maxLength, VisionFamily.ImageLayout layout) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("max length must be at least 2 tokens, got " + maxLength);
        }
        this.padId = padId;
        this.maxLength = maxLength;
        this.layout = layout;
    }

    public int maxLength() {
        return maxLength;
    }

    /**
     * The sample cut to the maximum length. Truncation never cuts an image's tokens (the model would
     * find fewer placeholders than image features): a sample whose images end beyond the limit is
     * dropped, and so is one left without a labelled token.
     *
     * @throws SampleException when the sample is dropped; callers count it in a {@link SkipLog}
     */
    public EncodedSample fit(EncodedSample sample) {
        if (sample.length() <= maxLength) {
            return sample;
        }
        if (sample.imageTokensEnd() > maxLength) {
            throw new SampleException(sample.origin() + ": " + sample.length() + " tokens, and its image tokens end at token "
                    + sample.imageTokensEnd() + ", beyond the maximum length " + maxLength + "; dropped");
        }
        EncodedSample cut = sample.truncate(maxLength);
        if (cut.labelledTokens() == 0) {
            throw new SampleException(sample.origin() + ": " + sample.length() + " tokens, and no labelled token is left within "
                    + "the maximum length " + maxLength + "; dropped");
        }
        return cut;
    }

    /**
     * One batch of the given samples, in order. Samples longer than the maximum length must have been
     * passed through {@link #fit} first.
     */
    public Batch collate(List<EncodedSample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one sample");
        }
        int rows = samples.size();
        int length = 0;
        for (EncodedSample s : samples) {
            if (s.length() > maxLength) {
                throw new IllegalArgumentException(s.origin() + ": " + s.length() + " tokens exceed the maximum length "
                        + maxLength + "; fit() it first");
            }
            length = Math.max(length, s.length());
        }
        long[][] ids = new long[rows][length];
        int[][] mask = new int[rows][length];
        long[][] labels = new long[rows][length];
        boolean tokenTypes = samples.getFirst().tokenTypeIds() != null;
        long[] types = tokenTypes ? new long[rows * length] : null;
        for (int b = 0; b < rows; b++) {
            EncodedSample s = samples.get(b);
            Arrays.fill(ids[b], padId);
            Arrays.fill(labels[b], Ops.IGNORE_INDEX);
            for (int t = 0; t < s.length(); t++) {
                ids[b][t] = s.inputIds()[t];
                mask[b][t] = 1;
                labels[b][t] = s.labels()[t];
                if (tokenTypes) {
                    types[b * length + t] = s.tokenTypeIds()[t];
                }
            }
        }
        Map<String, Tensor> images = imageTensors(samples);
        if (tokenTypes) {
            images.put("token_type_ids", Tensor.ofLongs(types, rows, length));
        }
        return new Batch(ids, mask, labels, images, samples.stream().map(EncodedSample::origin).toList());
    }

    /** Each image tensor name of the batch: the samples' tensors concatenated on dim 0, zero-padded to the largest. */
    private Map<String, Tensor> imageTensors(List<EncodedSample> samples) {
        Map<String, List<NdArray>> byName = new LinkedHashMap<>();
        for (EncodedSample s : samples) {
            if (s.images() != null) {
                s.images().tensors().forEach((name, t) -> byName.computeIfAbsent(name, k -> new ArrayList<>()));
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : byName.keySet()) {
            List<NdArray> parts = new ArrayList<>();
            for (EncodedSample s : samples) {
                NdArray t = s.images() == null ? null : s.images().tensor(name);
                if (t != null) {
                    parts.add(t);
                } else if (layout == VisionFamily.ImageLayout.PER_SAMPLE) {
                    // A sample without images still owns its row of an [batch, images, ...] tensor: all padding.
                    parts.add(null);
                }
            }
            out.put(name, concatenate(parts));
        }
        return out;
    }

    /** Concatenation along dim 0 with every other dim zero-padded to its maximum; a null part is one all-zero row. */
    static Tensor concatenate(List<NdArray> parts) {
        NdArray any = parts.stream().filter(p -> p != null).findFirst().orElseThrow();
        int rank = any.shape().length;
        int[] shape = new int[rank];
        for (NdArray p : parts) {
            if (p == null) {
                shape[0] += 1;
                continue;
            }
            if (p.shape().length != rank || p.getClass() != any.getClass()) {
                throw new IllegalArgumentException("image tensors of one name differ in rank or type: "
                        + Arrays.toString(any.shape()) + " and " + Arrays.toString(p.shape()));
            }
            shape[0] += p.shape()[0];
            for (int d = 1; d < rank; d++) {
                shape[d] = Math.max(shape[d], p.shape()[d]);
            }
        }
        int rowSize = NdArray.elementCount(Arrays.copyOfRange(shape, 1, rank));
        boolean floats = any instanceof FloatArray;
        float[] f = floats ? new float[shape[0] * rowSize] : null;
        long[] l = floats ? null : new long[shape[0] * rowSize];
        int row = 0;
        for (NdArray p : parts) {
            if (p == null) {
                row++;
                continue;
            }
            int[] src = p.shape();
            // Rows are copied in runs along the last dim; each run lands at its index in the padded row.
            int runLength = rank == 1 ? 1 : src[rank - 1];
            int runsPerRow = runLength == 0 ? 0 : NdArray.elementCount(Arrays.copyOfRange(src, 1, rank)) / runLength;
            for (int r = 0; r < src[0]; r++, row++) {
                for (int run = 0; run < runsPerRow; run++) {
                    int from = (r * runsPerRow + run) * runLength;
                    int to = row * rowSize + paddedOffset(run, src, shape);
                    switch (p) {
                        case FloatArray a -> System.arraycopy(a.data(), from, f, to, runLength);
                        case LongArray a -> System.arraycopy(a.data(), from, l, to, runLength);
                    }
                }
            }
        }
        return floats ? Tensor.of(f, shape) : Tensor.ofLongs(l, shape);
    }

    /**
     * Offset within a padded row of a source row's {@code run}-th run along the last dim: the run's
     * index over dims 1..rank-2 of {@code src}, laid out with the padded sizes of {@code padded}.
     */
    private static int paddedOffset(int run, int[] src, int[] padded) {
        int offset = 0;
        int stride = padded[src.length - 1];
        for (int d = src.length - 2; d >= 1; d--) {
            offset += run % src[d] * stride;
            run /= src[d];
            stride *= padded[d];
        }
        return offset;
    }
}
