package dev.jvlm.data;

import java.util.List;

/**
 * The samples read from a dataset, in file order, and the records that were skipped.
 *
 * @param source  what was read (a file or folder)
 * @param samples the usable samples; images are not decoded yet
 * @param skipped records that could not be turned into samples, with the first reasons
 */
public record Dataset(String source, List<Sample> samples, SkipLog skipped) {

    public Dataset {
        samples = List.copyOf(samples);
    }

    public int size() {
        return samples.size();
    }

    @Override
    public String toString() {
        return source + ": " + samples.size() + " samples, " + skipped.summary();
    }
}
