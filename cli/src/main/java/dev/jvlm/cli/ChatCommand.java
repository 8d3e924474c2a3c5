package dev.jvlm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.api.Conversation;
import dev.jvlm.api.Images;
import dev.jvlm.api.Vlm;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.Json;
import dev.jvlm.vision.DecodedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "chat", description = "Chat with a model about images: one turn when a PROMPT is given, else an "
        + "interactive session (/image PATH attaches an image to the next message, /reset starts over, /quit ends).")
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model directory or Hub id in the local cache (default: the embedded demo model).")
    String model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter to apply to the model.")
    Path adapter;

    @Option(names = "--image", paramLabel = "IMG", description = "Image for the first message (repeatable).")
    List<Path> images = new ArrayList<>();

    @Option(names = "--system", paramLabel = "TEXT", description = "System message.")
    String system;

    @Option(names = "--json", description = "Print each reply as one JSON object instead of streaming text.")
    boolean json;

    @Mixin
    SamplingOptions sampling;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", description = "The message; none: interactive session.")
    String prompt;

    @Override
    public Integer call() throws IOException {
        List<DecodedImage> pending = new ArrayList<>();
        for (Path p : images) {
            pending.add(Images.load(p));
        }
        Vlm vlm = Vlm.load(model, adapter);
        SamplingParams params = sampling.over(vlm.defaultSampling());
        Conversation chat = newConversation();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (prompt != null) {
            turn(vlm, chat, prompt, pending, params, out);
            return 0;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; ; ) {
            err.print("> ");
            err.flush();
            if ((line = in.readLine()) == null || line.strip().equals("/quit")) {
                return 0;
            }
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (text.startsWith("/image ")) {
                pending.add(Images.load(Path.of(text.substring(7).strip())));
                err.println("[image attached to the next message]");
            } else if (text.equals("/reset")) {
                chat = newConversation();
                pending.clear();
                err.println("[new conversation]");
            } else {
                turn(vlm, chat, text, pending, params, out);
                pending.clear();
            }
        }
    }

    private Conversation newConversation() {
        Conversation chat = new Conversation();
        if (system != null) {
            chat.system(system);
        }
        return chat;
    }

    private void turn(Vlm vlm, Conversation chat, String text, List<DecodedImage> turnImages, SamplingParams params,
                      PrintWriter out) {
        chat.user(text, List.copyOf(turnImages));
        Vlm.Reply reply = vlm.reply(chat, params, json ? null : piece -> {
            out.print(piece);
            out.flush();
        });
        chat.assistant(reply.text());
        if (json) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("text", reply.text());
            o.put("prompt_tokens", reply.promptTokens());
            o.put("completion_tokens", reply.completionTokens());
            o.put("finish_reason", reply.finishReason().name().toLowerCase(Locale.ROOT));
            out.println(o);
        } else {
            out.println();
        }
        out.flush();
    }
}
