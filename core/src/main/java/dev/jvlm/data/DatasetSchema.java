package dev.jvlm.data;

import java.util.Set;

/** How a dataset's records become conversations. */
public enum DatasetSchema {
    /**
     * {@code messages} (role + content: a string, or parts {@code {"type": "text", "text"}} and
     * {@code {"type": "image"}}, optionally with the image inline as {@code "image"}) and
     * {@code images} (the images of the image parts, in order): llava-instruct-mix, TRL.
     */
    CONVERSATIONS,
    /** {@code image} and {@code text}: user "Describe accurately the given image." + image, assistant text (rdr-items). */
    CAPTIONS,
    /**
     * {@code image} and {@code ground_truth} (a JSON string with {@code gt_parse} or {@code gt_parses}):
     * user image + "Extract JSON", assistant {@link DonutJson#json2token} of the parse (cord-v2).
     */
    DONUT_JSON;

    /** The user instruction of {@link #CAPTIONS} samples, as the seeds' rdr-items recipe writes it. */
    public static final String CAPTION_INSTRUCTION = "Describe accurately the given image.";
    /** The user instruction of {@link #DONUT_JSON} samples, as the seeds' cord-v2 recipe writes it. */
    public static final String DONUT_INSTRUCTION = "Extract JSON";

    /** The schema a record's fields imply, or null when none fits. */
    static DatasetSchema detect(Set<String> fields) {
        if (fields.contains("messages")) {
            return CONVERSATIONS;
        }
        if (fields.contains("image") && fields.contains("ground_truth")) {
            return DONUT_JSON;
        }
        if (fields.contains("image") && fields.contains("text")) {
            return CAPTIONS;
        }
        return null;
    }
}
