package dev.jvlm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.api.Conversation;
import dev.jvlm.api.Images;
import dev.jvlm.api.Videos;
import dev.jvlm.api.Vlm;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.Json;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.DecodedVideo;
import dev.jvlm.vision.VideoSampling;
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

@Command(name = "chat", description = "Chat with a model about images and videos: one turn when a PROMPT is given, else an "
        + "interactive session (/image PATH and /video PATH attach to the next message, /reset starts over, /quit ends).")
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model directory or Hub id in the local cache (default: the embedded demo model).")
    String model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter to apply to the model.")
    Path adapter;

    @Option(names = "--image", paramLabel = "IMG", description = "Image for the first message (repeatable).")
    List<Path> images = new ArrayList<>();

    @Option(names = "--video", paramLabel = "PATH", description = "Video for the first message (repeatable; Qwen2-VL, Qwen2.5-VL): "
            + "a folder of frames, an animated GIF or WebP.")
    List<Path> videos = new ArrayList<>();

    @Option(names = "--pan-and-scan", description = "Gemma 3: also give the model crops of images far from square.")
    boolean panAndScan;

    @Mixin
    VideoOptions videoOptions;

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
        List<DecodedVideo> pendingVideos = new ArrayList<>();
        for (Path p : videos) {
            pendingVideos.add(Videos.load(p));
        }
        VideoSampling videoSampling = videoOptions.sampling();
        Vlm vlm = Vlm.load(model, adapter);
        if (panAndScan) {
            vlm = vlm.withPanAndScan();
        }
        SamplingParams params = sampling.over(vlm.defaultSampling());
        Conversation chat = newConversation(videoSampling);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (prompt != null) {
            turn(vlm, chat, prompt, pending, pendingVideos, params, out);
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
            } else if (text.startsWith("/video ")) {
                DecodedVideo video = Videos.load(Path.of(text.substring(7).strip()));
                pendingVideos.add(video);
                err.println("[video of " + video.frames().size() + " frames attached to the next message]");
            } else if (text.equals("/reset")) {
                chat = newConversation(videoSampling);
                pending.clear();
                pendingVideos.clear();
                err.println("[new conversation]");
            } else {
                turn(vlm, chat, text, pending, pendingVideos, params, out);
                pending.clear();
                pendingVideos.clear();
            }
        }
    }

    private Conversation newConversation(VideoSampling videoSampling) {
        Conversation chat = new Conversation().videoSampling(videoSampling);
        if (system != null) {
            chat.system(system);
        }
        return chat;
    }

    private void turn(Vlm vlm, Conversation chat, String text, List<DecodedImage> turnImages, List<DecodedVideo> turnVideos,
                      SamplingParams params, PrintWriter out) {
        chat.user(text, List.copyOf(turnImages), List.copyOf(turnVideos));
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
