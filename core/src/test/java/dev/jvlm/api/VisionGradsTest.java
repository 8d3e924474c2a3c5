package dev.jvlm.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Grads#run} on one labelled example with an image against Hugging Face's training references:
 * every weight of the model (full fine-tuning), and the weights of a PEFT adapter (LoRA).
 */
class VisionGradsTest {

    @ParameterizedTest
    @ValueSource(strings = {"idefics3", "llava", "qwen2_vl"})
    void fullFineTuningMatchesHuggingFace(String arch) {
        TrainingReference.assertFull(arch,
                Grads.run(TrainingReference.model(arch), TrainingReference.input(arch), new Grads.Mode.Full()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"idefics3", "llava", "qwen2_vl"})
    void loraAdapterGradientsMatchPeft(String arch) {
        TrainingReference.assertLora(arch, Grads.run(TrainingReference.model(arch), TrainingReference.input(arch),
                new Grads.Mode.Adapter(TrainingReference.dir(arch).resolve("adapter"))));
    }
}
