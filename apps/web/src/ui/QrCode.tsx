import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

/** A QR code of `value` as an image (SVG, sharp when printed). */
export function QrCode({ value, label, size = 200 }: { value: string; label: string; size?: number }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    QRCode.toString(value, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }).then(
      (svg) => {
        if (!cancelled) setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
      },
      () => {
        if (!cancelled) setSrc(null);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [value]);
  return src ? <img className="qr" src={src} alt={label} width={size} height={size} /> : <div className="qr qr--placeholder" style={{ width: size, height: size }} />;
}
