package dev.jvlm.eval.bench;

/** Hears how far a run is, e.g. to draw a progress bar. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void started(int total, int resumed) {
        }

        @Override
        public void advanced(int done) {
        }
    };

    /** Before the first prediction: {@code total} items, of which {@code resumed} have predictions from an earlier run. */
    void started(int total, int resumed);

    /** After each item predicted (or skipped) in this run; {@code done} counts the resumed ones too. */
    void advanced(int done);
}
