// The demo users (models/users.json): their training and held-out ratings, loaded once someone asks for
// a user other than the featured one (whom the manifest carries).
import { $, problem, clear, el } from './dom.js';
import { state, fetchJson, modelsUrl } from './page.js';

export function addDemoUser(u) {
  const train = u.train.map(String);
  const ratings = train.map((item, i) => ({ item, rating: u.trainRatings ? u.trainRatings[i] : 5 }));
  state.users.set(String(u.id), { train, ratings, heldOut: u.heldOut });
}

// users.json, loaded once when someone asks for a user other than the featured one.
export function demoUsers() {
  if (!state.usersFile) {
    state.usersFile = !state.manifest || !state.manifest.users ? Promise.resolve(false)
      : fetchJson(modelsUrl(state.manifest.users), 'The demo users file').then((doc) => {
        for (const u of doc.users) addDemoUser(u);
        fillUserList();
        return true;
      }).catch((e) => {
        problem(`${e.message} The “existing user” section only knows the featured user.`);
        return false;
      });
  }
  return state.usersFile;
}

export async function demoUser(user) {
  if (!state.users.has(user)) await demoUsers();
  return state.users.get(user);
}

function fillUserList() {
  const list = $('user-list');
  clear(list);
  for (const id of state.users.keys()) list.append(el('option', { value: id }));
}
