/**
 * A reference model of SPEC.md's POST /identify, written as plainly as possible and independent
 * of lib/: a list of contact rows, the three rules, the response ordering. Contacts get ids
 * 1, 2, 3... in creation order and a createdAt equal to their id, so "oldest" is "smallest id".
 * The model-based tests run the same requests against the real service and this model and
 * compare every answer and every stored row exactly.
 */

export interface ModelRequest {
  email: string | null;
  phoneNumber: string | null;
}

export interface ModelContact {
  id: number;
  email: string | null;
  phoneNumber: string | null;
  linkedId: number | null;
  linkPrecedence: 'primary' | 'secondary';
}

export interface ModelView {
  primaryContactId: number;
  emails: string[];
  phoneNumbers: string[];
  secondaryContactIds: number[];
}

export type ModelOutcome = 'newPrimary' | 'newSecondary' | 'merge' | 'existing';

export class IdentityModel {
  contacts: ModelContact[] = [];

  clone(): IdentityModel {
    const copy = new IdentityModel();
    copy.contacts = this.contacts.map((c) => ({ ...c }));
    return copy;
  }

  private primaryOf(contact: ModelContact): ModelContact {
    return contact.linkedId === null ? contact : this.contacts.find((c) => c.id === contact.linkedId)!;
  }

  private members(primaryId: number): ModelContact[] {
    return this.contacts.filter((c) => c.id === primaryId || c.linkedId === primaryId);
  }

  identify(request: ModelRequest): { view: ModelView; outcome: ModelOutcome } {
    const { email, phoneNumber } = request;
    if (email === null && phoneNumber === null) throw new Error('model: empty request');
    const byEmail = email === null ? undefined : this.contacts.find((c) => c.email === email);
    const byPhone = phoneNumber === null ? undefined : this.contacts.find((c) => c.phoneNumber === phoneNumber);
    const primaries = [
      ...new Map(
        [byEmail, byPhone]
          .filter((c): c is ModelContact => c !== undefined)
          .map((c) => this.primaryOf(c))
          .map((p) => [p.id, p] as const),
      ).values(),
    ].sort((a, b) => a.id - b.id);

    let outcome: ModelOutcome;
    let primary: ModelContact;
    if (primaries.length === 0) {
      primary = { id: this.contacts.length + 1, email, phoneNumber, linkedId: null, linkPrecedence: 'primary' };
      this.contacts.push(primary);
      outcome = 'newPrimary';
    } else if (primaries.length === 2) {
      const [older, newer] = primaries as [ModelContact, ModelContact];
      for (const c of this.members(newer.id)) {
        c.linkedId = older.id;
        c.linkPrecedence = 'secondary';
      }
      primary = older;
      outcome = 'merge';
    } else {
      primary = primaries[0]!;
      const members = this.members(primary.id);
      const knownEmail = email === null || members.some((c) => c.email === email);
      const knownPhone = phoneNumber === null || members.some((c) => c.phoneNumber === phoneNumber);
      if (knownEmail && knownPhone) {
        outcome = 'existing';
      } else {
        this.contacts.push({
          id: this.contacts.length + 1,
          email,
          phoneNumber,
          linkedId: primary.id,
          linkPrecedence: 'secondary',
        });
        outcome = 'newSecondary';
      }
    }
    return { view: this.view(primary.id), outcome };
  }

  view(primaryId: number): ModelView {
    const members = this.members(primaryId).sort((a, b) => a.id - b.id);
    const primary = members.find((c) => c.id === primaryId)!;
    const ordered = [primary, ...members.filter((c) => c.id !== primaryId)];
    const distinct = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => v !== null))];
    return {
      primaryContactId: primaryId,
      emails: distinct(ordered.map((c) => c.email)),
      phoneNumbers: distinct(ordered.map((c) => c.phoneNumber)),
      secondaryContactIds: members.filter((c) => c.id !== primaryId).map((c) => c.id),
    };
  }
}
