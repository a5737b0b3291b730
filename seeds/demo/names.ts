// Plausible Hakka-area natural-village (自然村) names: a surname or landform word plus a landform ending,
// e.g. 刘屋, 黄坑, 上坝, 松树坳. Purely synthetic; any match with a real place is a coincidence.
import { Rng } from './prng';

const SURNAMES = [...'刘黄陈李王张钟曾谢赖邱肖罗温廖彭郭朱胡何杨吴邓叶蓝古池魏袁宋严林徐卢龚管丁欧易康'];
const LANDFORMS = [...'上下中大小新老高石竹松杉茶枫桥坝塘井田湖岗寨水沙禾桃梅杨柏樟长圆'];
const COMPOUNDS = ['松树', '杉木', '茶树', '樟树', '竹山', '石门', '白石', '黄泥', '长岭', '大坪', '牛角', '马鞍', '龙头', '狮子', '鹅公', '水口', '塘背', '井头', '桥头', '圳头'];
const ENDINGS = [...'屋坑下塘坝排岭背坳坪垅迳岗陂围圳湾洞窝脑尾口寨墩坵垄'];

export function settlementName(rng: Rng): string {
  const r = rng.next();
  if (r < 0.35) return rng.pick(SURNAMES) + rng.pick(['屋', '屋', '家', '坑', '屋场']);
  if (r < 0.55) return rng.pick(SURNAMES) + rng.pick(ENDINGS);
  if (r < 0.85) return rng.pick(LANDFORMS) + rng.pick(ENDINGS);
  return rng.pick(COMPOUNDS) + rng.pick(ENDINGS);
}
