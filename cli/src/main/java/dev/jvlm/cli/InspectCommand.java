package dev.jvlm.cli;

import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TextConfig;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "inspect", description = "Describe a model: family, text shape, parameters by dtype, special tokens.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model directory or Hub id in the local cache (default: the embedded demo model).")
    String model;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = ModelLocator.resolve(model);
        ConfigNode root = ConfigNode.read(dir.resolve("config.json"));
        Checkpoint.Mapped ckpt = Checkpoint.open(dir);
        LanguageModel lm = LanguageModel.load(dir);
        TextConfig c = lm.config();
        Map<DType, long[]> byType = new TreeMap<>();
        for (String name : ckpt.names()) {
            Tensor t = ckpt.tensors().get(name);
            long[] acc = byType.computeIfAbsent(t.dtype(), k -> new long[2]);
            acc[0] += t.numel();
            acc[1] += t.numel() * t.dtype().byteSize();
        }
        out.println("model:        " + dir);
        out.println("model_type:   " + lm.modelType() + (root.has("architectures") ? " " + root.raw("architectures") : ""));
        out.printf("text model:   %s, %d layers, hidden %d, %d heads (%d KV, head_dim %d), intermediate %d, vocab %d%n",
                c.modelType(), c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.headDim(),
                c.intermediateSize(), c.vocabSize());
        out.println("embeddings:   " + (c.tieWordEmbeddings() ? "tied to lm_head" : "separate lm_head"));
        out.println("tensors:      " + ckpt.names().size());
        byType.forEach((t, acc) -> out.printf("parameters:   %,d in %s (%s)%n", acc[0], t, bytes(acc[1])));
        var gen = lm.generationConfig();
        out.println("special ids:  bos " + gen.bosTokenId() + ", eos " + java.util.Arrays.toString(gen.eosTokenIds())
                + ", pad " + gen.padTokenId());
        out.flush();
        return 0;
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format("%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format("%.1f MiB", b / (double) (1L << 20));
        }
        return String.format("%.1f KiB", b / 1024.0);
    }
}
