package dev.jvlm.vision;

/** Cropping and zero-padding on decoded images, with numpy slicing semantics. */
final class ImageOps {

    private ImageOps() {
    }

    /** The pixels in columns {@code [x0, x1)} and rows {@code [y0, y1)}, clipped to the image. */
    static DecodedImage crop(DecodedImage image, int x0, int y0, int x1, int y1) {
        int left = Math.max(0, x0);
        int top = Math.max(0, y0);
        int right = Math.min(image.width(), x1);
        int bottom = Math.min(image.height(), y1);
        int w = right - left;
        int h = bottom - top;
        int bpp = image.mode().bytesPerPixel();
        byte[] out = new byte[w * h * bpp];
        for (int y = 0; y < h; y++) {
            System.arraycopy(image.samples(), ((top + y) * image.width() + left) * bpp, out, y * w * bpp, w * bpp);
        }
        return new DecodedImage(image.mode(), w, h, out, image.palette());
    }

    /**
     * The image placed at ({@code left}, {@code top}) on a zero canvas of {@code width x height};
     * parts outside the canvas are cut off.
     */
    static DecodedImage place(DecodedImage image, int left, int top, int width, int height) {
        int bpp = image.mode().bytesPerPixel();
        byte[] out = new byte[width * height * bpp];
        for (int y = 0; y < image.height(); y++) {
            int ty = y + top;
            if (ty < 0 || ty >= height) {
                continue;
            }
            int x0 = Math.max(0, -left);
            int x1 = Math.min(image.width(), width - left);
            if (x1 > x0) {
                System.arraycopy(image.samples(), (y * image.width() + x0) * bpp, out, (ty * width + left + x0) * bpp,
                        (x1 - x0) * bpp);
            }
        }
        return new DecodedImage(image.mode(), width, height, out, image.palette());
    }

    /**
     * Hugging Face's {@code center_crop}: the top-left corner at {@code floor((size - crop) / 2)};
     * an image smaller than the crop is first centred on a zero canvas (extra pixel at the end)
     * so that the result always has the crop size.
     */
    static DecodedImage centerCrop(DecodedImage image, int cropHeight, int cropWidth) {
        int h = image.height();
        int w = image.width();
        int top = Math.floorDiv(h - cropHeight, 2);
        int left = Math.floorDiv(w - cropWidth, 2);
        if (top >= 0 && left >= 0 && top + cropHeight <= h && left + cropWidth <= w) {
            return crop(image, left, top, left + cropWidth, top + cropHeight);
        }
        int paddedHeight = Math.max(cropHeight, h);
        int paddedWidth = Math.max(cropWidth, w);
        int topPad = (paddedHeight - h + 1) / 2;
        int leftPad = (paddedWidth - w + 1) / 2;
        DecodedImage padded = place(image, leftPad, topPad, paddedWidth, paddedHeight);
        return crop(padded, left + leftPad, top + topPad, left + leftPad + cropWidth, top + topPad + cropHeight);
    }
}
