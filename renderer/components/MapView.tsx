// Mounts the imperative AtlasMap once; the App drives it through the instance handed to onReady.
import { useEffect, useRef } from 'react';
import { AtlasMap, type AtlasMapOptions } from '../map/AtlasMap';

export function MapView({ options, onReady }: { options: AtlasMapOptions; onReady: (map: AtlasMap | null) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  // The map is created once per mount; later option changes go through AtlasMap's methods.
  const initial = useRef(options);
  const ready = useRef(onReady);
  useEffect(() => {
    if (!ref.current) return;
    const atlas = new AtlasMap(ref.current, initial.current);
    let alive = true;
    atlas.whenLoaded().then(() => { if (alive) ready.current(atlas); });
    return () => {
      alive = false;
      ready.current(null);
      atlas.destroy();
    };
  }, []);
  return <div ref={ref} className="map" data-testid="map" />;
}
