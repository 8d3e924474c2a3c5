package dev.jvlm.train;

import dev.jvlm.JvlmException;

/** Learning-rate schedules with linear warmup, as transformers' {@code get_scheduler} computes them. */
public record Schedule(String kind, double baseLr, int warmupSteps, int totalSteps, double minLrRatio) {

    public Schedule {
        if (!(kind.equals("constant") || kind.equals("linear") || kind.equals("cosine"))) {
            throw new JvlmException("lr schedule \"" + kind + "\" is not supported (expected constant, linear or cosine)");
        }
        if (warmupSteps < 0 || totalSteps <= 0) {
            throw new JvlmException("schedule needs warmup_steps >= 0 and total steps > 0, got " + warmupSteps + " and " + totalSteps);
        }
    }

    /** The learning rate of optimizer step {@code step} (0-based, as the scheduler's step count before it advances). */
    public double lr(int step) {
        if (step < warmupSteps) {
            return baseLr * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        double factor = switch (kind) {
            case "constant" -> 1.0;
            case "linear" -> Math.max(0.0, 1 - progress);
            default -> Math.max(0.0, 0.5 * (1 + Math.cos(Math.PI * progress)));
        };
        return baseLr * (minLrRatio + (1 - minLrRatio) * factor);
    }
}
