package dev.jvlm.data;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The batches of a training run: each epoch visits the samples in {@link EpochOrder}, encodes them,
 * fits them to the maximum length and groups them by {@code batchSize}. Samples that cannot be used
 * (see {@link SampleException}) are skipped and counted; a batch is then filled from the next ones.
 * The position of the next batch ({@link #epoch()}, {@link #position()}) is what a checkpoint saves
 * to resume exactly there. Not thread-safe.
 */
public final class Batches {

    private final List<Sample> samples;
    private final SampleEncoder encoder;
    private final Collator collator;
    private final int batchSize;
    private final long seed;
    private final SkipLog skipped = new SkipLog();
    private int epoch;
    private int position;
    private int[] order;

    /**
     * @param epoch    the epoch to start in (0 for a new run)
     * @param position how many samples of that epoch's order were consumed (0 for a new run)
     */
    public Batches(Dataset dataset, SampleEncoder encoder, int maxLength, int batchSize, long seed, int epoch, int position) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (position < 0 || position > dataset.size()) {
            throw new IllegalArgumentException("position " + position + " is outside the dataset of " + dataset.size() + " samples");
        }
        this.samples = dataset.samples();
        this.encoder = encoder;
        this.collator = encoder.collator(maxLength);
        this.batchSize = batchSize;
        this.seed = seed;
        this.epoch = epoch;
        this.position = position;
        this.order = EpochOrder.permutation(seed, epoch, samples.size());
    }

    /**
     * The next batch: up to {@code batchSize} usable samples, fewer only at the end of an epoch. An
     * epoch never spans two batches; the next call starts the next epoch.
     *
     * @throws NoSuchElementException when a whole epoch yields no usable sample
     */
    public Batch next() {
        if (position == samples.size()) {
            epoch++;
            position = 0;
            order = EpochOrder.permutation(seed, epoch, samples.size());
        }
        List<EncodedSample> batch = new ArrayList<>();
        int epochStart = position;
        while (batch.size() < batchSize && position < samples.size()) {
            Sample sample = samples.get(order[position++]);
            try {
                batch.add(collator.fit(encoder.encode(sample)));
            } catch (SampleException e) {
                skipped.skip(e.getMessage());
            }
        }
        if (batch.isEmpty()) {
            if (epochStart == 0) {
                throw new NoSuchElementException("no sample of the dataset is usable; " + skipped.summary());
            }
            return next();
        }
        return collator.collate(batch);
    }

    /** The epoch of the next batch's first sample (after the end of an epoch, the one just finished). */
    public int epoch() {
        return epoch;
    }

    /** How many samples of the current epoch's order have been consumed. */
    public int position() {
        return position;
    }

    /** Samples skipped so far (unusable or over-long), with the first reasons. */
    public SkipLog skipped() {
        return skipped;
    }
}
