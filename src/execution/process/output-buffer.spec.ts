import { HeadTailBuffer } from './output-buffer';

describe('HeadTailBuffer', () => {
  it('keeps everything under the cap', () => {
    const sut = new HeadTailBuffer(100);
    sut.push(Buffer.from('hello '));
    sut.push(Buffer.from('world'));
    expect(sut.toString()).toBe('hello world');
    expect(sut.truncated).toBe(false);
  });

  it('keeps head and tail and marks the cut', () => {
    const sut = new HeadTailBuffer(10);
    for (let i = 0; i < 100; i++) sut.push(Buffer.from(String(i % 10)));
    expect(sut.truncated).toBe(true);
    expect(sut.totalBytes).toBe(100);
    expect(sut.toString()).toBe('01234\n… [90 bytes of output truncated] …\n56789');
  });
});
