/** SPEC.md's worked example 1: the answer once contact 23 {mcfly, 123456} joined primary 1. */
export const WORKED_EXAMPLE_1_RESPONSE = {
  contact: {
    primaryContactId: 1,
    primaryContatctId: 1,
    emails: ['lorraine@hillvalley.edu', 'mcfly@hillvalley.edu'],
    phoneNumbers: ['123456'],
    secondaryContactIds: [23],
  },
};

/** SPEC.md's worked example 2: the answer after {"email":"george@…","phoneNumber":"717171"}. */
export const WORKED_EXAMPLE_2_RESPONSE = {
  contact: {
    primaryContactId: 11,
    primaryContatctId: 11,
    emails: ['george@hillvalley.edu', 'biffsucks@hillvalley.edu'],
    phoneNumbers: ['919191', '717171'],
    secondaryContactIds: [27],
  },
};
