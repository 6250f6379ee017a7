import { ScimError } from './errors';
import { assertIfMatch, isNotModified, weakEtag } from './etag';

describe('ETags', () => {
  it('formats a version as a weak entity tag', () => {
    expect(weakEtag(7)).toBe('W/"7"');
  });

  it.each([undefined, '', '*', 'W/"3"', '"3"', 'W/"1", W/"3"'])('If-Match %p passes for version 3', (header) => {
    expect(() => assertIfMatch(header, 3)).not.toThrow();
  });

  it.each(['W/"2"', '"4"', 'W/"30"', 'garbage'])('If-Match %p fails for version 3 with 412', (header) => {
    expect(() => assertIfMatch(header, 3)).toThrow(ScimError);
    try {
      assertIfMatch(header, 3);
    } catch (error) {
      expect((error as ScimError).status).toBe(412);
    }
  });
});

describe('If-None-Match', () => {
  it.each(['W/"3"', '"3"', 'W/"1", W/"3"', '"2",W/"3"', '*', ' W/"3" '])(
    '%p names version 3: not modified',
    (header) => {
      expect(isNotModified(header, 3)).toBe(true);
    },
  );

  it.each([undefined, '', 'W/"2"', '"30"', 'W/"1", "4"', 'garbage', 'W/3'])(
    '%p does not name version 3: the body is sent',
    (header) => {
      expect(isNotModified(header, 3)).toBe(false);
    },
  );
});

describe('entity tags given whole', () => {
  it.each(['W/"3.ab12"', '"3.ab12"', '*'])('%p names W/"3.ab12"', (header) => {
    expect(isNotModified(header, 'W/"3.ab12"')).toBe(true);
    expect(() => assertIfMatch(header, 'W/"3.ab12"')).not.toThrow();
  });

  it.each(['W/"3"', '"3.ab1"'])('%p does not name W/"3.ab12"', (header) => {
    expect(isNotModified(header, 'W/"3.ab12"')).toBe(false);
    expect(() => assertIfMatch(header, 'W/"3.ab12"')).toThrow(expect.objectContaining({ status: 412 }));
  });
});
