import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** A QR code of `value` as an image (SVG, sharp when printed). */
export function QrCode({ value, label, size = 200 }: { value: string; label: string; size?: number }) {
  const { t } = useTranslation();
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    setFailed(false);
    QRCode.toString(value, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }).then(
      (svg) => {
        if (!cancelled) setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
      },
      () => {
        if (cancelled) return;
        setSrc(null);
        setFailed(true);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [value]);
  if (src) return <img className="qr" src={src} alt={label} width={size} height={size} />;
  return (
    <div className="qr qr--placeholder" style={{ width: size, height: size }}>
      {failed ? <p className="qr__failed">{t('qr.failed')}</p> : null}
    </div>
  );
}
