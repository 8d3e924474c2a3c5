package dev.jvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.api.Conversation;
import dev.jvlm.api.Images;
import dev.jvlm.api.Vlm;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.Json;
import dev.jvlm.io.ModelLocator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "demo", description = "Ask jvlm's embedded model (trained by jvlm on synthetic shapes) about the shipped "
        + "sample images, or about your own image with --image and a question.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--image", paramLabel = "IMG", description = "Your own image (shapes on a light background work best).")
    Path image;

    @Parameters(index = "0", arity = "0..1", paramLabel = "QUESTION", description = "The question for --image.")
    String question;

    @Override
    public Integer call() throws IOException {
        Path model = ModelLocator.defaultModel();
        Vlm vlm = Vlm.load(model.toString());
        PrintWriter out = spec.commandLine().getOut();
        SamplingParams greedy = vlm.defaultSampling();
        if (image != null || question != null) {
            if (image == null || question == null) {
                throw new JvlmException("give both --image and a question, or neither for the shipped samples");
            }
            out.println(answer(vlm, image, question, greedy));
            out.flush();
            return 0;
        }
        Path samples = model.getParent().resolve("test.jsonl");
        List<String> lines = Files.readAllLines(samples);
        int correct = 0;
        out.println("jvlm demo: " + model + " (" + vlm.model().modelType() + ", trained by jvlm from scratch on synthetic shapes)");
        for (String line : lines) {
            JsonNode s = Json.parse(line, samples.toString());
            Path img = samples.getParent().resolve(s.get("images").get(0).asText());
            String q = s.get("messages").get(0).get("content").get(1).get("text").asText();
            String expected = s.get("answer").asText();
            String a = answer(vlm, img, q, greedy);
            boolean ok = a.strip().equals(expected);
            correct += ok ? 1 : 0;
            out.printf("%-20s Q: %-34s A: %-10s %s%n", samples.getParent().relativize(img), q, a.strip(),
                    ok ? "(correct)" : "(expected " + expected + ")");
            out.flush();
        }
        out.printf("%d of %d answered correctly%n", correct, lines.size());
        out.flush();
        return 0;
    }

    private static String answer(Vlm vlm, Path image, String question, SamplingParams params) {
        Conversation chat = new Conversation().user(question, List.of(Images.load(image)));
        return vlm.reply(chat, params, null).text();
    }
}
