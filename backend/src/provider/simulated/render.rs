//! Drawing the simulated outputs: deterministic PNG stills and animated GIF clips.

use std::io::Cursor;

use bytes::Bytes;
use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, ImageFormat, Rgb, RgbImage, RgbaImage};
use sha2::{Digest, Sha256};

use crate::domain::catalogue::CameraMotion;
use crate::domain::task::TaskKind;
use crate::provider::{ProviderError, ProviderRequest};

use super::VIDEO_FPS;

/// Output `position` of a task, `side` pixels on its longer side: a PNG still for
/// images, an animated GIF (half the size) for videos.
pub(crate) fn render(
    request: &ProviderRequest,
    position: u32,
    side: u32,
) -> Result<Bytes, ProviderError> {
    match request.kind {
        TaskKind::Image => render_png(request, position, side),
        TaskKind::Video => render_gif(request, position, side / 2),
    }
}

/// Colours and discs of a picture, from a hash of the prompt, seed, references and
/// position. Same inputs, same picture.
struct Palette {
    from: [u8; 3],
    to: [u8; 3],
    discs: Vec<(f32, f32, f32, [u8; 3])>,
}

impl Palette {
    fn of(request: &ProviderRequest, position: u32) -> Self {
        let params = &request.params;
        let mut hasher = Sha256::new();
        hasher.update(params.prompt.as_str().as_bytes());
        hasher.update(params.seed.unwrap_or(0).to_le_bytes());
        for reference in &params.references {
            hasher.update(reference.checksum_sha256.as_bytes());
        }
        hasher.update(position.to_le_bytes());
        let h = hasher.finalize();
        Self {
            from: [h[0], h[1], h[2]],
            to: [h[3], h[4], h[5]],
            discs: (0..4)
                .map(|i| {
                    let b = &h[6 + i * 6..12 + i * 6];
                    (
                        f32::from(b[0]) / 255.0,
                        f32::from(b[1]) / 255.0,
                        0.08 + f32::from(b[2]) / 255.0 * 0.22,
                        [b[3], b[4], b[5]],
                    )
                })
                .collect(),
        }
    }

    /// The picture at `width`×`height`, with the discs shifted by (`dx`, `dy`) (fractions of
    /// the frame) and scaled by `zoom`.
    fn draw(&self, width: u32, height: u32, dx: f32, dy: f32, zoom: f32) -> RgbImage {
        let short = width.min(height) as f32;
        RgbImage::from_fn(width, height, |x, y| {
            let t = (x + y) as f32 / (width + height) as f32;
            let mut pixel: [f32; 3] = std::array::from_fn(|c| {
                f32::from(self.from[c]) * (1.0 - t) + f32::from(self.to[c]) * t
            });
            for &(cx, cy, r, colour) in &self.discs {
                let cx = (cx + dx).rem_euclid(1.0) * width as f32;
                let cy = (cy + dy).rem_euclid(1.0) * height as f32;
                let r = r * short * zoom;
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                if d < r {
                    let alpha = 0.65 * (1.0 - d / r).min(0.25) / 0.25;
                    for (channel, target) in pixel.iter_mut().zip(colour) {
                        *channel = *channel * (1.0 - alpha) + f32::from(target) * alpha;
                    }
                }
            }
            Rgb([pixel[0] as u8, pixel[1] as u8, pixel[2] as u8])
        })
    }
}

fn scaled(request: &ProviderRequest, long_side: u32) -> (u32, u32) {
    let (w, h) = request.params.output_dimensions();
    let scale = f64::from(long_side) / f64::from(w.max(h).max(1));
    let even = |v: f64| ((v as u32) / 2 * 2).max(2);
    (even(f64::from(w) * scale), even(f64::from(h) * scale))
}

fn encode_error(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::Transient {
        message: format!("could not encode the simulated output: {e}"),
        retry_after: None,
    }
}

/// A still picture for an image task.
pub(crate) fn render_png(
    request: &ProviderRequest,
    position: u32,
    side: u32,
) -> Result<Bytes, ProviderError> {
    let (width, height) = scaled(request, side);
    let image = Palette::of(request, position).draw(width, height, 0.0, 0.0, 1.0);
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Png)
        .map_err(encode_error)?;
    Ok(Bytes::from(out.into_inner()))
}

/// A looping clip for a video task: the picture moves as the camera motion says.
pub(crate) fn render_gif(
    request: &ProviderRequest,
    position: u32,
    side: u32,
) -> Result<Bytes, ProviderError> {
    let (width, height) = scaled(request, side);
    let palette = Palette::of(request, position);
    let seconds = request.params.duration_secs.unwrap_or(4).max(1);
    let frames = seconds * VIDEO_FPS;
    let motion = request.params.camera_motion.unwrap_or(CameraMotion::Static);
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut out, 30);
        encoder.set_repeat(Repeat::Infinite).map_err(encode_error)?;
        for i in 0..frames {
            let t = i as f32 / frames as f32;
            let (dx, dy, zoom) = match motion {
                CameraMotion::Static => (0.0, 0.0, 1.0),
                CameraMotion::PanLeft => (t * 0.5, 0.0, 1.0),
                CameraMotion::PanRight => (-t * 0.5, 0.0, 1.0),
                CameraMotion::TiltUp => (0.0, t * 0.5, 1.0),
                CameraMotion::TiltDown => (0.0, -t * 0.5, 1.0),
                CameraMotion::ZoomIn => (0.0, 0.0, 1.0 + t),
                CameraMotion::ZoomOut => (0.0, 0.0, 2.0 - t),
                CameraMotion::Orbit => (
                    (t * std::f32::consts::TAU).cos() * 0.1,
                    (t * std::f32::consts::TAU).sin() * 0.1,
                    1.0,
                ),
                CameraMotion::Handheld => (
                    ((i * 7) % 5) as f32 * 0.01,
                    ((i * 3) % 5) as f32 * 0.01,
                    1.0,
                ),
            };
            let rgb = palette.draw(width, height, dx, dy, zoom);
            let rgba = RgbaImage::from_fn(width, height, |x, y| {
                let p = rgb.get_pixel(x, y);
                image::Rgba([p[0], p[1], p[2], 255])
            });
            let delay = Delay::from_numer_denom_ms(1000 / VIDEO_FPS, 1);
            encoder
                .encode_frame(Frame::from_parts(rgba, 0, 0, delay))
                .map_err(encode_error)?;
        }
    }
    Ok(Bytes::from(out))
}
